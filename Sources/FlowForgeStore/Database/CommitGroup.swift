import NIOCore
import SQLKit
import Synchronization

/// Group commit: transactions that arrive while another of their kind is committing run together, one after
/// the other, inside one database transaction, and share its COMMIT.
///
/// Two places need it. SQLite has one writer at a time and FlowForge one connection to it, so transactions
/// already ran one after the other; what each paid alone was its COMMIT, an `fsync` of the write-ahead log
/// with `synchronous = FULL` (milliseconds on an ordinary disk): there every transaction joins one group.
/// On PostgreSQL, transactions that update one hot row (an account's usage counter, taken by every pipeline
/// it creates) wait for each other's row lock, held until each COMMIT has reached the disk: there the
/// transactions of one key (the account) join a group, and different keys commit in parallel as before.
///
/// A member that throws has its writes undone and gets its error while the others commit. The members first
/// run side by side in the transaction; when one throws, the transaction is rolled back, nobody is answered,
/// and the group runs again with each member in its own SAVEPOINT (as the next groups do for a while), so
/// that only the failing one's writes are undone. A member may therefore run twice, in two transactions of
/// which only the second commits: its body must only touch the database. No member is answered before the
/// shared COMMIT returns: what a caller is told was committed is durable, as before. If the COMMIT itself
/// fails, every member gets that error. With nothing queued, a transaction commits alone, at once: grouping
/// adds no wait.
final class CommitGroup: Sendable {
    /// A queued transaction: `run` does its work and returns what resumes its caller once committed.
    struct Member: Sendable {
        let run: @Sendable (any SQLDatabase) async throws -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
    }

    private struct State {
        var waiting: [String: [Member]] = [:]
        var draining: Set<String> = []
        var commits = 0
        /// Groups still to run with a savepoint per member, after a member failed.
        var isolateNextGroups = 0
        var closed = false
        var idle: [CheckedContinuation<Void, Never>] = []
    }

    /// What a transaction gets once the database is shutting down.
    struct Closed: Error, CustomStringConvertible {
        var description: String { "the database is shutting down; the transaction did not run" }
    }

    private let state = Mutex(State())
    /// The statement that opens a group's transaction (`BEGIN IMMEDIATE` on SQLite).
    let begin: String
    /// Bounds how long the last member of a group waits for the ones before it.
    let maxMembers: Int

    init(begin: String, maxMembers: Int = 128) {
        self.begin = begin
        self.maxMembers = maxMembers
    }

    /// Transactions queued for a next group (for tests).
    var waitingCount: Int { state.withLock { $0.waiting.values.reduce(0) { $0 + $1.count } } }
    /// COMMITs run so far, each for a group of one or more transactions (for tests).
    var commits: Int { state.withLock { $0.commits } }

    /// Runs `body` in the next group of `key`; returns its value once that group committed.
    func transaction<T: Sendable>(
        on database: Database, key: String, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let member = Member(
                run: { db in
                    let value = try await body(db)
                    return { continuation.resume(returning: value) }
                },
                fail: { continuation.resume(throwing: $0) }
            )
            let lead: Bool? = state.withLock { state in
                if state.closed { return nil }
                state.waiting[key, default: []].append(member)
                return state.draining.insert(key).inserted
            }
            guard let lead else {
                continuation.resume(throwing: Closed())
                return
            }
            // A task of its own: a caller's cancellation must not skip a COMMIT or ROLLBACK that others wait on.
            if lead { Task { await self.drain(key, on: database) } }
        }
    }

    /// Refuses new transactions and returns once every queued one has committed or failed, so the pool
    /// can close with no connection in use.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                state.closed = true
                if state.draining.isEmpty { return true }
                state.idle.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func drain(_ key: String, on database: Database) async {
        // The drain and its members run where the connection's answers arrive (SQLite: the writer's own
        // thread; PostgreSQL: the connection's event loop), so a group's chain of statements does not wait
        // for the shared pool, or a thread switch, between them (under load that wait was most of a
        // member's time).
        let (executor, loop) = database.groupExecutor()
        await withTaskExecutorPreference(executor) {
            await drainGroups(key, on: database, loop: loop)
        }
    }

    private func drainGroups(_ key: String, on database: Database, loop: any EventLoop) async {
        while true {
            let group: [Member] = state.withLock { state in
                guard let waiting = state.waiting[key], !waiting.isEmpty else {
                    state.waiting[key] = nil
                    state.draining.remove(key)
                    if state.draining.isEmpty {
                        for waiter in state.idle { waiter.resume() }
                        state.idle.removeAll()
                    }
                    return []
                }
                let taken = Array(waiting.prefix(maxMembers))
                state.waiting[key] = Array(waiting.dropFirst(taken.count))
                return taken
            }
            if group.isEmpty { return }
            await commit(group, on: database, loop: loop)
        }
    }

    private enum Outcome: Sendable {
        case committed(@Sendable () -> Void)
        case failed(any Error)
    }

    private func commit(_ group: [Member], on database: Database, loop: any EventLoop) async {
        // A group of one needs no savepoint: its own failure is the transaction's.
        let isolated = group.count > 1 && state.withLock { state in
            guard state.isolateNextGroups > 0 else { return false }
            state.isolateNextGroups -= 1
            return true
        }
        if !isolated, await run(group, isolated: false, on: database, loop: loop) == .done { return }
        if !isolated {
            // Rolled back whole and answered nobody: run again, each member in its own savepoint, and keep
            // doing so for a while, since failures tend to come in runs (an account at its limit).
            state.withLock { $0.isolateNextGroups = Self.isolatedGroupsAfterAFailure }
        }
        _ = await run(group, isolated: true, on: database, loop: loop)
    }

    /// After a member failed, how many groups run with a savepoint per member before grouping goes back to
    /// running them side by side.
    static let isolatedGroupsAfterAFailure = 32

    private enum Run {
        case done
        /// `isolated: false` only: a member threw, the whole transaction was rolled back and nobody was answered.
        case memberFailed
    }

    /// Runs `group` in one transaction and answers every member, except in the `memberFailed` case.
    ///
    /// `isolated`: each member in its own SAVEPOINT, so one that throws loses only its own writes. Otherwise the
    /// members run one after another with nothing between them (two statements fewer per member, which is a
    /// third of a delivery's), and the first that throws rolls the whole transaction back for a rerun.
    private func run(_ group: [Member], isolated: Bool, on database: Database, loop: any EventLoop) async -> Run {
        let begin = self.begin
        do {
            let outcomes: [Outcome]? = try await database.withConnection(on: loop) { db in
                try await db.raw(SQLQueryString(begin)).run()
                do {
                    var outcomes: [Outcome] = []
                    outcomes.reserveCapacity(group.count)
                    for member in group {
                        if !isolated {
                            do {
                                outcomes.append(.committed(try await member.run(db)))
                            } catch {
                                if group.count == 1 { throw error }
                                try await db.raw("ROLLBACK").run()
                                return nil
                            }
                            continue
                        }
                        try await db.raw("SAVEPOINT member").run()
                        do {
                            let resume = try await member.run(db)
                            try await db.raw("RELEASE SAVEPOINT member").run()
                            outcomes.append(.committed(resume))
                        } catch {
                            // If even this fails, the transaction is beyond repair: the whole group fails below.
                            try await db.raw("ROLLBACK TO SAVEPOINT member").run()
                            try await db.raw("RELEASE SAVEPOINT member").run()
                            outcomes.append(.failed(error))
                        }
                    }
                    try await db.raw("COMMIT").run()
                    state.withLock { $0.commits += 1 }
                    return outcomes
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    throw error
                }
            }
            guard let outcomes else { return .memberFailed }
            for (member, outcome) in zip(group, outcomes) {
                switch outcome {
                case .committed(let resume): resume()
                case .failed(let error): member.fail(error)
                }
            }
        } catch {
            for member in group { member.fail(error) }
        }
        return .done
    }
}
