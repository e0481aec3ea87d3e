import CLibGit2

/// A failed workspace write, and whether the mirror it read from may be damaged (so worth rebuilding).
struct WorkspaceWriteFailure: Error, Sendable {
    var error: GitError
    var mirrorSuspect: Bool
}

/// A failed fetch-and-resolve, and whether the mirror may be damaged.
struct MirrorFetchFailure: Error, Sendable {
    var error: GitError
    var mirrorSuspect: Bool
}

extension LibGit2Failure {
    /// Whether libgit2 failed on the objects themselves: unreadable or truncated packs, bad zlib data, an
    /// object an index lists but the pack does not hold. A mirror is shared by every account building its
    /// URL, so such a failure is answered by rebuilding the mirror once, never by reusing it.
    var suggestsDamagedObjects: Bool {
        let objectClasses: Set<UInt32> = [
            GIT_ERROR_ODB.rawValue, GIT_ERROR_ZLIB.rawValue, GIT_ERROR_OBJECT.rawValue, GIT_ERROR_INDEXER.rawValue,
            GIT_ERROR_TREE.rawValue, GIT_ERROR_SHA.rawValue,
        ]
        // A missing object during a checkout of a commit that resolved means the odb lost it.
        return objectClasses.contains(UInt32(bitPattern: errorClass)) || code == GIT_ENOTFOUND.rawValue
    }
}
