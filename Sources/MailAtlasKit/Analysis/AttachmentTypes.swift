import MailCore

/// Which detected types a file extension or a declared MIME type is consistent with, for the `extension-mismatch`
/// and `type-mismatch` flags. Unknown extensions and generic declared types (`application/octet-stream`) are never
/// a mismatch; text found by heuristics never contradicts a text-like label (a `.txt` file that reads like a
/// script is not evidence of anything).
enum AttachmentTypes {
    static let byExtension: [String: Set<FileType>] = {
        var t: [String: Set<FileType>] = [
            "pdf": [.pdf], "rtf": [.rtf], "doc": [.doc], "dot": [.doc], "docx": [.docx, .officeEncrypted],
            "dotx": [.docx],
            "docm": [.docm], "dotm": [.docm], "xls": [.xls], "xlt": [.xls], "xlsx": [.xlsx, .officeEncrypted],
            "xltx": [.xlsx],
            "xlsm": [.xlsm], "xlsb": [.xlsm], "ppt": [.ppt], "pps": [.ppt], "pptx": [.pptx, .officeEncrypted],
            "ppsx": [.pptx],
            "pptm": [.pptm], "msg": [.msg], "msi": [.msi], "msp": [.msi], "mst": [.msi], "one": [.onenote],
            "chm": [.chm], "odt": [.odt], "ods": [.ods], "odp": [.odp],
            "zip": [.zip], "jar": [.jar, .zip], "apk": [.apk, .zip], "rar": [.rar4, .rar5], "7z": [.sevenZip],
            "gz": [.gzip], "tgz": [.gzip], "bz2": [.bzip2], "xz": [.xz], "zst": [.zstd], "cab": [.cab],
            "tar": [.tar], "ace": [.ace], "arj": [.arj], "iso": [.iso9660, .udf], "img": [.iso9660, .udf, .diskImage],
            "vhd": [.vhd], "vhdx": [.vhdx],
            "exe": [.exe, .dosExe], "scr": [.exe], "com": [.dosExe, .exe, .binary], "dll": [.dll], "cpl": [.dll],
            "ocx": [.dll], "sys": [.dll, .exe], "lnk": [.lnk], "url": [.urlShortcut], "class": [.javaClass],
            "png": [.png], "jpg": [.jpeg], "jpeg": [.jpeg], "jpe": [.jpeg], "jfif": [.jpeg], "gif": [.gif],
            "webp": [.webp], "bmp": [.bmp], "tif": [.tiff], "tiff": [.tiff], "ico": [.ico], "svg": [.svg, .xml],
            "ics": [.ics], "vcs": [.ics], "vcf": [.vcard], "eml": [.email, .text],
            "htm": [.html, .text], "html": [.html, .text], "xhtml": [.html, .xml], "mht": [.email, .html, .text],
            "hta": [.hta, .html], "xml": [.xml, .svg, .wsf], "wsf": [.wsf, .xml],
            "js": [.javascript], "jse": [.javascript, .binary], "vbs": [.vbscript], "vbe": [.vbscript, .binary],
            "ps1": [.powershell], "bat": [.batch], "cmd": [.batch], "sh": [.shell],
        ]
        for e in ["txt", "csv", "log", "ini", "cfg", "json", "md"] { t[e] = [.text] }
        return t
    }()

    /// Declared types that say nothing about the content.
    static let genericDeclared: Set<String> = [
        "application/octet-stream", "binary/octet-stream", "application/unknown", "application/x-download",
        "application/force-download", "application/download", "application/binary", "application/x-unknown",
        "application/data", "unknown/unknown", "application/x-octet-stream",
    ]

    static let byDeclared: [String: Set<FileType>] = [
        "application/pdf": [.pdf], "application/x-pdf": [.pdf],
        "application/zip": [.zip, .jar, .apk], "application/x-zip-compressed": [.zip], "application/x-zip": [.zip],
        "application/msword": [.doc, .docx, .docm, .rtf],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [.docx, .docm, .officeEncrypted],
        "application/vnd.ms-word.document.macroenabled.12": [.docm],
        "application/vnd.ms-excel": [.xls, .xlsx, .xlsm, .text],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [.xlsx, .xlsm, .officeEncrypted],
        "application/vnd.ms-excel.sheet.macroenabled.12": [.xlsm],
        "application/vnd.ms-powerpoint": [.ppt, .pptx, .pptm],
        "application/vnd.openxmlformats-officedocument.presentationml.presentation": [
            .pptx, .pptm, .officeEncrypted,
        ],
        "application/rtf": [.rtf], "text/rtf": [.rtf], "application/vnd.ms-outlook": [.msg],
        "application/x-msi": [.msi], "application/x-ole-storage": [.msi, .ole2],
        "application/vnd.oasis.opendocument.text": [.odt], "application/vnd.oasis.opendocument.spreadsheet": [.ods],
        "application/x-rar-compressed": [.rar4, .rar5], "application/vnd.rar": [.rar4, .rar5],
        "application/x-rar": [.rar4, .rar5], "application/x-7z-compressed": [.sevenZip],
        "application/gzip": [.gzip], "application/x-gzip": [.gzip], "application/x-bzip2": [.bzip2],
        "application/x-xz": [.xz], "application/zstd": [.zstd], "application/vnd.ms-cab-compressed": [.cab],
        "application/x-tar": [.tar], "application/x-iso9660-image": [.iso9660, .udf],
        "application/x-msdownload": [.exe, .dll, .dosExe], "application/x-dosexec": [.exe, .dll, .dosExe],
        "application/x-msdos-program": [.exe, .dll, .dosExe],
        "application/vnd.microsoft.portable-executable": [.exe, .dll],
        "application/java-archive": [.jar, .zip], "application/x-java-archive": [.jar, .zip],
        "image/png": [.png], "image/jpeg": [.jpeg], "image/jpg": [.jpeg], "image/pjpeg": [.jpeg], "image/gif": [.gif],
        "image/bmp": [.bmp], "image/x-ms-bmp": [.bmp], "image/tiff": [.tiff], "image/webp": [.webp],
        "image/svg+xml": [.svg, .xml], "image/x-icon": [.ico], "image/vnd.microsoft.icon": [.ico],
        "text/calendar": [.ics], "application/ics": [.ics], "text/vcard": [.vcard], "text/x-vcard": [.vcard],
        "message/rfc822": [.email, .text], "message/global": [.email, .text],
        "application/javascript": [.javascript], "text/javascript": [.javascript],
        "application/x-javascript": [.javascript], "text/vbscript": [.vbscript], "application/hta": [.hta],
        "application/xml": [.xml, .svg, .wsf], "text/xml": [.xml, .svg, .wsf], "text/html": [.html, .hta, .svg],
        "application/x-sh": [.shell], "application/x-bat": [.batch], "application/x-ms-shortcut": [.lnk],
    ]

    /// Whether `detected` contradicts what `expected` allows.
    static func contradicts(_ detected: FileType, _ expected: Set<FileType>) -> Bool {
        if expected.contains(detected) || detected == .empty { return false }
        // Heuristic text against a text-like expectation: no evidence either way.
        let textLike: (FileType) -> Bool = { $0.isTextHeuristic || $0.isScript || $0 == .svg || $0 == .ics }
        if detected.isTextHeuristic, expected.contains(where: textLike) { return false }
        return true
    }

    static func extensionMismatch(_ ext: String?, _ detected: FileType) -> Bool {
        guard let ext, let expected = byExtension[ext] else { return false }
        return contradicts(detected, expected)
    }

    static func declaredMismatch(_ declared: String?, _ detected: FileType) -> Bool {
        guard let raw = declared else { return false }
        let d = raw.lowercased()
        if genericDeclared.contains(d) { return false }
        if let expected = byDeclared[d] { return contradicts(detected, expected) }
        if d == "text/plain" || d.hasPrefix("text/") {
            // Any text is fine; a signature of a binary format is not.
            return
                !(detected.isTextHeuristic || detected.isScript || detected == .empty || detected == .rtf
                || detected == .ics || detected == .vcard || detected == .svg || detected == .urlShortcut)
        }
        if d.hasPrefix("image/") { return !(detected.isImage || detected == .empty) }
        return false
    }
}
