/// Why an uploaded source archive was refused; each message names the entry and says what to change.
public enum SourceArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One entry may not be unpacked (a path leaving the workspace, a link pointing out, a device file…).
    case refusedEntry(path: String, reason: String)
    /// The files would take more than the cap once unpacked (a zip bomb, or simply too big).
    case tooLarge(limit: Int64)
    case tooManyEntries(limit: Int)
    /// Not a .zip, .tar or .tar.gz, or damaged.
    case unreadable(String)
    /// A folder could not be packed (`DirectoryArchive`).
    case unwritable(String)

    public var description: String {
        switch self {
        case .refusedEntry(let path, let reason): "the archive's entry \"\(path)\" \(reason)"
        case .tooLarge(let limit): "the archive unpacks to more than \(limit) bytes; upload a smaller source (without build output or dependencies)"
        case .tooManyEntries(let limit): "the archive holds more than \(limit) entries; upload a smaller source"
        case .unreadable(let why): "the archive cannot be read as .zip, .tar or .tar.gz: \(why)"
        case .unwritable(let why): "the folder could not be packed: \(why)"
        }
    }
}

/// What an archive may unpack to.
public struct SourceArchiveLimits: Sendable {
    /// Bytes of file content written, counted as they are written (the sizes an archive declares can lie).
    public var maxUnpackedBytes: Int64
    public var maxEntries: Int

    public init(maxUnpackedBytes: Int64, maxEntries: Int = 100_000) {
        self.maxUnpackedBytes = maxUnpackedBytes
        self.maxEntries = maxEntries
    }
}
