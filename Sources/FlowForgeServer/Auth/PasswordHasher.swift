import HummingbirdBcrypt
import NIOPosix

/// bcrypt hashing off the event loops: a hash at cost 12 takes a quarter second of CPU, which would stall
/// every connection on the loop if run there.
struct PasswordHasher: Sendable {
    let rounds: Int

    /// A hash of a random password at the configured cost, verified against when the email is unknown so an
    /// unknown email and a wrong password take the same time.
    let decoyHash: String

    init(rounds: Int) {
        self.rounds = rounds
        self.decoyHash = Bcrypt.hash("decoy-password-never-matches", cost: UInt8(rounds))
    }

    func hash(_ password: String) async throws -> String {
        let cost = UInt8(rounds)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
