import NIOPosix

extension GitMirrorCache {
    /// Runs blocking libgit2 work on the cache's thread pool, off the caller's executor, so neither
    /// event loops nor the cooperative pool wait on network or disk.
    func runBlocking<T: Sendable>(
        _ body: @escaping @Sendable () -> Result<T, GitError>
    ) async -> Result<T, GitError> {
        do {
            return try await threadPool.runIfActive(body)
        } catch {
            return .failure(.failed("FlowForge could not run git work on its thread pool (\(error)); "
                + "this happens only while shutting down: retry the pipeline"))
        }
    }
}
