import NIOPosix

/// A task executor that runs its jobs on an `NIOThreadPool`: for SQLite's writer, a pool of one thread, the
/// thread the connection's statements run on.
///
/// Contract: a task that prefers it (`withTaskExecutorPreference`) runs its nonisolated async code on the
/// pool's threads, queued behind the pool's own work items in submission order. With the one-thread pool of a
/// SQLite connection, a statement, its answer and the code that sends the next statement all run on that one
/// thread: a chain of statements (a commit group) makes no thread switch at all, where each statement used
/// to wake the writer's thread and then the thread of the task's executor. Only for work that touches the
/// database: everything else on the pool waits behind it. If the pool has stopped, a job runs at once on the
/// thread that enqueued it, so that no task is left suspended forever (its next query then fails).
final class ThreadPoolTaskExecutor: TaskExecutor, Sendable {
    let pool: NIOThreadPool

    init(_ pool: NIOThreadPool) { self.pool = pool }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pool.submit { _ in job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
