import CLibGit2

/// libgit2's global state. `git_libgit2_init` must run before any other call; a global `let` is
/// initialised exactly once, thread-safely, on first use, which is what that needs.
enum LibGit2 {
    private static let initialized: Bool = {
        let ready = git_libgit2_init() > 0
        // Every git connection then goes through FlowForge's guarded sockets (deadline, cancel, address checks).
        precondition(GuardedSocketStream.register(), "libgit2 refused FlowForge's socket stream")
        return ready
    }()

    /// Call before any libgit2 function; cheap after the first time.
    static func ensureInitialized() {
        _ = initialized
    }
}

/// The error libgit2 reported for a call, read from its thread-local last-error slot right away
/// (the slot is overwritten by the next failing call on the same thread).
struct LibGit2Failure: Error, Sendable {
    var code: Int32
    var errorClass: Int32
    var message: String
    /// What FlowForge was doing, for the `failed` case's text.
    var operation: String

    init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        if let last = git_error_last() {
            errorClass = last.pointee.klass
            message = last.pointee.message.map { String(cString: $0) } ?? "unknown error"
        } else {
            errorClass = 0
            message = "unknown error (code \(code))"
        }
    }
}

/// Runs one libgit2 call and turns a negative return into a `LibGit2Failure`.
@discardableResult
func gitCall(_ operation: String, _ body: () -> Int32) throws(LibGit2Failure) -> Int32 {
    let code = body()
    if code < 0 {
        throw LibGit2Failure(code: code, operation: operation)
    }
    return code
}
