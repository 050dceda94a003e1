/// What a file is, from its bytes (the `detected_type` column). Names are short, lower case and stable: users
/// query them.
public enum FileType: String, Sendable, CaseIterable, Codable {
    // Documents.
    case pdf, rtf
    case docx, docm, xlsx, xlsm, pptx, pptm
    /// An OOXML package whose main part is none of the above.
    case ooxml
    case odt, ods, odp
    /// An OpenDocument package of another kind.
    case odf
    case doc, xls, ppt
    /// Outlook item (`.msg`).
    case msg
    /// Windows Installer package (also `.msp` patches and `.mst` transforms).
    case msi
    /// An OLE2 compound file of another or unknown kind.
    case ole2
    /// A password-protected Office document (OLE2 holding `EncryptedPackage`).
    case officeEncrypted = "office-encrypted"
    case onenote
    /// Compiled HTML Help.
    case chm
    // Archives and compressed files.
    case zip, jar, apk
    case rar4, rar5
    case sevenZip = "7z"
    case gzip, bzip2, xz, zstd, cab, tar, ace, arj
    // Disk images.
    case iso9660, udf, vhd, vhdx
    /// A raw disk image with a FAT boot sector (`.img`).
    case diskImage = "disk-image"
    // Executables.
    /// Windows PE executable.
    case exe
    /// Windows PE DLL.
    case dll
    /// MZ executable without a PE header.
    case dosExe = "dos-exe"
    case elf
    case macho
    case javaClass = "java-class"
    /// Windows shortcut (`.lnk`).
    case lnk
    /// Internet shortcut (`.url`: `[InternetShortcut]`).
    case urlShortcut = "url-shortcut"
    // Markup and scripts.
    case html, hta, svg, xml
    case javascript, vbscript, powershell, batch, shell
    /// Windows Script File (XML with `<job>`/`<script>`).
    case wsf
    // Images.
    case png, jpeg, gif, webp, bmp, tiff, ico
    // Other text.
    case ics, vcard
    /// An e-mail message (`message/rfc822`).
    case email
    case text
    case empty
    /// Bytes that match nothing known.
    case binary

    public var isArchive: Bool {
        switch self {
        case .zip, .jar, .apk, .rar4, .rar5, .sevenZip, .gzip, .bzip2, .xz, .zstd, .cab, .tar, .ace, .arj: return true
        default: return false
        }
    }

    public var isDiskImage: Bool {
        switch self {
        case .iso9660, .udf, .vhd, .vhdx, .diskImage: return true
        default: return false
        }
    }

    public var isExecutable: Bool {
        switch self {
        case .exe, .dll, .dosExe, .elf, .macho, .javaClass, .msi, .lnk: return true
        default: return false
        }
    }

    public var isScript: Bool {
        switch self {
        case .javascript, .vbscript, .powershell, .batch, .shell, .wsf, .hta: return true
        default: return false
        }
    }

    public var isImage: Bool {
        switch self {
        case .png, .jpeg, .gif, .webp, .bmp, .tiff, .ico, .svg: return true
        default: return false
        }
    }

    /// Types read from text by heuristics rather than a signature: a mismatch with them is weak evidence.
    public var isTextHeuristic: Bool {
        switch self {
        case .text, .javascript, .vbscript, .powershell, .batch, .html, .xml, .email: return true
        default: return false
        }
    }
}
