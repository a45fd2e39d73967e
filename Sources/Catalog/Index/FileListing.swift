internal import Foundation
internal import ImageIO

/// A file of a dataset as the index records it: path relative to the dataset folder, size in
/// bytes, modification time in nanoseconds since 1970.
public struct FileStamp: Sendable, Hashable {
    public let path: String
    public let size: Int
    public let modified: Int64

    public init(path: String, size: Int, modified: Int64) {
        self.path = path
        self.size = size
        self.modified = modified
    }

    /// The stamp of `root/path` as the file is now, nil when it is not a regular file.
    public static func of(_ path: String, in root: String) -> FileStamp? {
        FileIO.status("\(root)/\(path)").map { FileStamp(path: path, size: $0.size, modified: $0.modified) }
    }

    /// FNV-1a over the path, size and time; summed over a folder's files into its signature, so
    /// the order of listing does not matter and a commit updates it by adding its files' hashes.
    var hash: UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01B3 }
        }
        mix(path.utf8)
        withUnsafeBytes(of: size) { mix($0) }
        withUnsafeBytes(of: modified) { mix($0) }
        return hash
    }
}

/// What identifies the state of a dataset folder: how many files (hidden ones aside), and the sum
/// of their stamps' hashes. Equal signatures mean nothing was added, removed or touched.
public struct FolderSignature: Sendable, Hashable {
    public var count: Int
    public var hash: UInt64

    public init(count: Int = 0, hash: UInt64 = 0) {
        self.count = count
        self.hash = hash
    }

    mutating func add(_ stamp: FileStamp) {
        count += 1
        hash &+= stamp.hash
    }

    mutating func remove(_ stamp: FileStamp) {
        count -= 1
        hash &-= stamp.hash
    }
}

/// Every file under a dataset folder with its size and modification time, and its signature.
/// Hidden files and folders (`.journal.jsonl`, `.staging`, `.lock`) are not part of it.
struct FileListing {
    /// By path relative to the root.
    var entries: [String: (size: Int, modified: Int64)] = [:]
    var signature = FolderSignature()

    init(root: String) {
        var visited: Set<FileIO.FileIdentity> = []
        var stack = [""]
        while let relative = stack.popLast() {
            let folder = relative.isEmpty ? root : "\(root)/\(relative)"
            if let id = FileIO.identity(folder), !visited.insert(id).inserted { continue }
            guard let list = try? FileIO.list(folder) else { continue }
            for item in list where !item.name.hasPrefix(".") {
                let path = relative.isEmpty ? item.name : "\(relative)/\(item.name)"
                switch item.kind {
                case .directory: stack.append(path)
                case .file:
                    entries[path] = (item.size, item.modified)
                    signature.add(FileStamp(path: path, size: item.size, modified: item.modified))
                default: continue
                }
            }
        }
    }
}
