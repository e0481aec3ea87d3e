import CLibGit2
import Foundation

/// Where one repository's mirror and its lock file live under the cache root.
struct MirrorLocation: Sendable {
    /// SHA-1 (hex) of the URL without credentials: stable, file-name safe, and never the secret itself.
    let key: String
    /// The bare repository, `<root>/<key>.git`.
    let directory: URL
    /// Beside the mirror rather than in it, so it exists before the mirror does: `<root>/<key>.lock`.
    let lockPath: String
}

extension GitMirrorCache {
    func mirrorLocation(for remote: GitRemoteURL) -> MirrorLocation {
        let key = Self.hashHex(remote.redacted)
        return MirrorLocation(
            key: key,
            directory: root.appendingPathComponent("\(key).git", isDirectory: true),
            lockPath: root.appendingPathComponent("\(key).lock").path)
    }

    /// libgit2's object hash (SHA-1 of a blob holding the text); avoids another crypto dependency.
    static func hashHex(_ text: String) -> String {
        LibGit2.ensureInitialized()
        var oid = git_oid()
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { git_odb_hash(&oid, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) }
        return oid.hex
    }
}

extension git_oid {
    /// The 40-character lowercase hex form.
    var hex: String {
        var copy = self
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ))
        git_oid_fmt(&buffer, &copy)
        return String(decoding: buffer.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
