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

extension GitMirrorCache {
    /// `runBlocking` for work that says whether the mirror may be damaged; a thread pool that is shutting
    /// down never does.
    func runBlocking<T: Sendable>(
        _ body: @escaping @Sendable () -> Result<T, MirrorFetchFailure>
    ) async -> Result<T, MirrorFetchFailure> {
        let outcome = await runBlocking { () -> Result<Result<T, MirrorFetchFailure>, GitError> in .success(body()) }
        switch outcome {
        case .success(let inner): return inner
        case .failure(let error): return .failure(MirrorFetchFailure(error: error, mirrorSuspect: false))
        }
    }
}
