import Glibc
import MailCore

/// A directory's worth of candidate files, as the walker found them.
public struct DirectoryBatch: Sendable {
    public enum Kind: Sendable, Equatable {
        /// `cur/` or `new/` of a Maildir: every file is one message.
        case maildir(folder: String, isNew: Bool)
        /// The top directory of a Maildir (beside `cur/` and `new/`): files are sniffed, and the messages found are
        /// the folder's.
        case maildirTop(folder: String)
        /// `tmp/` of a Maildir: deliveries in progress, recorded (`maildir-tmp`) but never read.
        case maildirTmp(folder: String)

        /// Any other directory: files are sniffed (message, mbox, gzip or not mail).
        case plain
    }

    /// The directory as reached from the root given on the command line.
    public var path: String
    /// The same directory as an absolute path (the key of the scan state).
    public var absolutePath: String
    public var mtimeNs: Int64
    public var kind: Kind
    /// Candidate files (sorted by name).
    public var files: [Entry]
    /// Entries skipped without reading: mail programs' own files (Dovecot indexes, `.DS_Store`…), hidden
    /// directories, special files (FIFOs, sockets, devices), symlinks not followed or that lead nowhere.
    public var skippedFiles: [Skipped]
    /// The root given on the command line that this directory was reached from.
    public var rootIndex: Int
    /// Whether `files` is the directory's whole listing (false when a single file was given as a root), so files
    /// missing from it have disappeared.
    public var isComplete: Bool = true

    public struct Entry: Sendable, Equatable {
        public var name: String
        public var inode: UInt64
    }

    public struct Skipped: Sendable, Equatable {
        /// The entry's name; a directory's ends with `/`.
        public var name: String
        /// Why, in words, for the diagnostic.
        public var reason: String
        /// The diagnostic code for the ones worth a diagnostic at every scan (nil for the ordinary ones: metadata,
        /// hidden directories).
        public var code: String? = nil
        /// The reason recorded on the entry's `files` row; nil for what is not recorded (an entry that could not
        /// be examined, which the next scan tries again).
        public var skip: SkipReason? = nil
    }
}

/// Walks spool roots depth-first, in sorted order, with `readdir` + `d_type` (an `lstat` only when the type is
/// unknown), visiting each directory once.
///
/// Maildirs are recognised by their `cur/` and `new/` subdirectories: `tmp/` is never read, Maildir++ dot-folders
/// and nested Maildirs are walked with their folder names. Symlinks are not followed unless asked; directories are
/// identified by device and inode so that a symlink loop or a bind mount never makes the walk revisit a directory.
public final class SpoolWalker {
    public struct Options: Sendable {
        public var followSymlinks: Bool
        public init(followSymlinks: Bool = false) { self.followSymlinks = followSymlinks }
    }

    /// Asked before a Maildir `cur/`/`new/` directory is listed: return true to skip it (unchanged since last scan).
    public typealias SkipCheck = (_ absolutePath: String, _ mtimeNs: Int64) -> Bool

    private struct Pending {
        var path: String
        var absolutePath: String
        var rootIndex: Int
        var context: Context
    }

    private enum Context {
        /// A directory outside any Maildir.
        case plain
        /// The top directory of a Maildir, with its folder name.
        case maildirRoot(folder: String)
        /// `cur` or `new` of a Maildir.
        case maildirLeaf(folder: String, isNew: Bool)
        /// `tmp` of a Maildir: deliveries in progress, listed but never read.
        case maildirTmp(folder: String)
    }

    private let options: Options
    private var stack: [Pending] = []
    private var visited: Set<[UInt64]> = []
    /// Single files given as roots, yielded as one-file batches.
    private var rootFiles: [DirectoryBatch] = []
    public private(set) var errors: [(path: String, message: String)] = []
    /// Maildir leaf directories skipped because they were unchanged.
    public private(set) var unchangedDirectories = 0

    public init(roots: [String], options: Options = Options()) {
        self.options = options
        for (index, root) in roots.enumerated().reversed() {
            let abs = SpoolWalker.absolute(root)
            guard let st = FileStat.of(root, followSymlinks: true) else {
                errors.append((root, "no such file or directory"))
                continue
            }
            if st.isDirectory {
                let context: Context = SpoolWalker.isMaildir(root) ? .maildirRoot(folder: "INBOX") : .plain
                stack.append(Pending(path: root, absolutePath: abs, rootIndex: index, context: context))
            } else if st.isRegular {
                let dir = SpoolWalker.parent(of: root)
                rootFiles.append(
                    DirectoryBatch(
                        path: dir, absolutePath: SpoolWalker.parent(of: abs), mtimeNs: 0, kind: .plain,
                        files: [.init(name: SpoolWalker.lastComponent(of: root), inode: st.inode)], skippedFiles: [],
                        rootIndex: index, isComplete: false))
            } else {
                errors.append((root, "not a regular file or directory"))
            }
        }
    }

    /// The next directory with candidate files, or nil when the walk is complete.
    public func next(skip: SkipCheck) -> DirectoryBatch? {
        if let file = rootFiles.popLast() { return file }
        while let dir = stack.popLast() {
            if let batch = visit(dir, skip: skip) { return batch }
        }
        return nil
    }

    private func visit(_ dir: Pending, skip: SkipCheck) -> DirectoryBatch? {
        guard let st = FileStat.of(dir.path, followSymlinks: true), st.isDirectory else {
            errors.append((dir.path, "cannot stat directory"))
            return nil
        }
        guard visited.insert([st.device, st.inode]).inserted else { return nil }
        switch dir.context {
        case .maildirLeaf, .maildirTmp:
            if skip(dir.absolutePath, st.mtimeNs) {
                unchangedDirectories += 1
                return nil
            }
        case .plain, .maildirRoot:
            break
        }
        guard let entries = SpoolWalker.list(dir.path) else {
            errors.append((dir.path, "cannot read directory: \(String(cString: strerror(errno)))"))
            return nil
        }
        var files: [DirectoryBatch.Entry] = []
        var skipped: [DirectoryBatch.Skipped] = []
        var subdirs: [Pending] = []
        for e in entries {
            let childPath = SpoolWalker.join(dir.path, e.name)
            var type = e.type
            var inode = e.inode
            var typeName = e.typeName
            if type == .unknown || (type == .symlink && options.followSymlinks) {
                if let s = FileStat.of(childPath, followSymlinks: options.followSymlinks) {
                    type = s.isDirectory ? .directory : s.isRegular ? .regular : s.isSymlink ? .symlink : .other
                    inode = s.inode
                    typeName = s.typeName
                } else {
                    // A dangling symlink, a symlink loop (ELOOP), or an entry that vanished since the listing.
                    let why = String(cString: strerror(errno))
                    skipped.append(.init(name: e.name, reason: "cannot stat: \(why)", code: "spool.unreadable"))
                    continue
                }
            }
            switch type {
            case .symlink:
                skipped.append(
                    .init(name: e.name, reason: "symlink not followed", code: "spool.symlink", skip: .symlink))
            case .other, .unknown:
                skipped.append(
                    .init(
                        name: e.name, reason: "not a regular file (\(typeName))", code: "spool.special-file",
                        skip: .specialFile))
            case .regular:
                if MetadataNames.isMetadata(e.name) {
                    skipped.append(.init(name: e.name, reason: "a mail program's own file", skip: .metadata))
                    continue
                }
                if case .maildirTmp = dir.context {
                    // Being written by a delivery, or left by one that died: never opened.
                    skipped.append(.init(name: e.name, reason: "a delivery in progress", skip: .maildirTmp))
                    continue
                }
                // Hidden files too: a saved message's name may begin with a dot (a subject turned into a name). Beside
                // `cur/` and `new/`, and hidden in them, files are sniffed like files elsewhere (docs/spool.md).
                files.append(.init(name: e.name, inode: inode))
            case .directory:
                let childAbs = SpoolWalker.join(dir.absolutePath, e.name)
                let child = Pending(path: childPath, absolutePath: childAbs, rootIndex: dir.rootIndex, context: .plain)
                switch dir.context {
                case .maildirRoot(let folder):
                    if e.name == "cur" || e.name == "new" {
                        subdirs.append(
                            with(child) { $0.context = .maildirLeaf(folder: folder, isNew: e.name == "new") })
                    } else if e.name == "tmp" {
                        subdirs.append(with(child) { $0.context = .maildirTmp(folder: folder) })
                    } else if e.name.hasPrefix("."), e.name.count > 1, e.name != "..",
                        SpoolWalker.isMaildir(childPath)
                    {
                        let sub = MaildirNames.folder(dotted: e.name, parent: folder)
                        subdirs.append(with(child) { $0.context = .maildirRoot(folder: sub) })
                    } else if !e.name.hasPrefix("."), SpoolWalker.isMaildir(childPath) {
                        subdirs.append(with(child) { $0.context = .maildirRoot(folder: folder + "/" + e.name) })
                    } else if !e.name.hasPrefix(".") {
                        subdirs.append(child)
                    } else {
                        skipped.append(SpoolWalker.hiddenDirectory(e.name))
                    }
                case .maildirLeaf, .maildirTmp:
                    continue  // Maildir leaves hold files only.
                case .plain:
                    if SpoolWalker.isMaildir(childPath) {
                        let isMailboxRoot =
                            e.name.lowercased() == "maildir" || e.name.lowercased() == ".maildir"
                            || SpoolWalker.hasMaildirPlusPlusFolders(childPath)
                        let folder = isMailboxRoot ? "INBOX" : e.name
                        subdirs.append(with(child) { $0.context = .maildirRoot(folder: folder) })
                    } else if !e.name.hasPrefix(".") {
                        subdirs.append(child)
                    } else {
                        skipped.append(SpoolWalker.hiddenDirectory(e.name))
                    }
                }
            }
        }
        // Depth-first in sorted order: push in reverse.
        stack.append(contentsOf: subdirs.reversed())
        let kind: DirectoryBatch.Kind
        switch dir.context {
        case .maildirLeaf(let folder, let isNew): kind = .maildir(folder: folder, isNew: isNew)
        case .maildirRoot(let folder): kind = .maildirTop(folder: folder)
        case .maildirTmp(let folder): kind = .maildirTmp(folder: folder)
        case .plain: kind = .plain
        }
        switch kind {
        case .plain, .maildirTop:
            if files.isEmpty && skipped.isEmpty { return nil }
        case .maildir, .maildirTmp:
            break  // Handed out even empty: its mtime is remembered, and files that left it are found.
        }
        return DirectoryBatch(
            path: dir.path, absolutePath: dir.absolutePath, mtimeNs: st.mtimeNs, kind: kind, files: files,
            skippedFiles: skipped, rootIndex: dir.rootIndex)
    }

    static func hiddenDirectory(_ name: String) -> DirectoryBatch.Skipped {
        .init(name: name + "/", reason: "hidden directory, not a Maildir folder", skip: .hiddenDirectory)
    }

    // MARK: Directory helpers

    enum EntryType { case regular, directory, symlink, other, unknown }
    struct RawEntry {
        var name: String
        var type: EntryType
        var inode: UInt64
        /// What `d_type` says the entry is, for messages.
        var typeName: String
    }

    /// Sorted entries of a directory (without `.` and `..`), or nil when it cannot be opened.
    static func list(_ path: String) -> [RawEntry]? {
        guard let d = PathBytes.withCString(path, { opendir($0) }) else { return nil }
        defer { closedir(d) }
        var out: [RawEntry] = []
        while let ent = readdir(d) {
            let name = withUnsafePointer(to: &ent.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { PathBytes.string(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            let t: EntryType
            let typeName: String
            switch Int32(ent.pointee.d_type) {
            case Int32(DT_REG): (t, typeName) = (.regular, "file")
            case Int32(DT_DIR): (t, typeName) = (.directory, "directory")
            case Int32(DT_LNK): (t, typeName) = (.symlink, "symlink")
            case Int32(DT_UNKNOWN): (t, typeName) = (.unknown, "unknown type")
            case Int32(DT_FIFO): (t, typeName) = (.other, "FIFO")
            case Int32(DT_SOCK): (t, typeName) = (.other, "socket")
            case Int32(DT_CHR): (t, typeName) = (.other, "character device")
            case Int32(DT_BLK): (t, typeName) = (.other, "block device")
            default: (t, typeName) = (.other, "special file")
            }
            out.append(RawEntry(name: name, type: t, inode: UInt64(ent.pointee.d_ino), typeName: typeName))
        }
        out.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return out
    }

    /// A Maildir has `cur` and `new` directories.
    static func isMaildir(_ path: String) -> Bool {
        let cur = FileStat.of(join(path, "cur"), followSymlinks: false)
        let new = FileStat.of(join(path, "new"), followSymlinks: false)
        return cur?.isDirectory == true && new?.isDirectory == true
    }

    static func hasMaildirPlusPlusFolders(_ path: String) -> Bool {
        guard let entries = list(path) else { return false }
        return entries.contains { $0.name.hasPrefix(".") && $0.name.count > 1 && isMaildir(join(path, $0.name)) }
    }

    static func join(_ dir: String, _ name: String) -> String {
        dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// An absolute, normalised path for `path` (symlinks in the root itself resolved).
    static func absolute(_ path: String) -> String {
        if let resolved = PathBytes.withCString(path, { realpath($0, nil) }) {
            defer { free(resolved) }
            return PathBytes.string(cString: resolved)
        }
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = buffer.withUnsafeBufferPointer { PathBytes.string(cString: $0.baseAddress!) }
        return join(cwd, path)
    }
}

private func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var copy = value
    change(&copy)
    return copy
}
