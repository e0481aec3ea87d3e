import Synchronization

/// Open connections of one server, counted across its event loops, in all and per client address.
///
/// Contract: `admit(address:)` either counts the connection (in all and for its address) and answers nil, or
/// counts nothing and says which cap it would pass; every admitted connection is released exactly once with
/// the same address.
final class ConnectionCounter: Sendable {
    enum Refusal: Sendable, Equatable {
        case total
        case address
    }

    private let open = Mutex<(total: Int, byAddress: [String: Int])>((0, [:]))
    let limit: Int
    let limitPerAddress: Int

    init(limit: Int, limitPerAddress: Int) {
        self.limit = limit
        self.limitPerAddress = limitPerAddress
    }

    /// Counts a new connection from `address` (nil when the socket has no IP address, as a Unix socket);
    /// the cap it would pass, and nothing counted, when one is reached.
    func admit(address: String?) -> Refusal? {
        open.withLock { open in
            if open.total >= limit { return .total }
            if let address {
                let fromAddress = open.byAddress[address, default: 0]
                if fromAddress >= limitPerAddress { return .address }
                open.byAddress[address] = fromAddress + 1
            }
            open.total += 1
            return nil
        }
    }

    func release(address: String?) {
        open.withLock { open in
            open.total -= 1
            guard let address, let fromAddress = open.byAddress[address] else { return }
            // Drop the entry at zero, so addresses that have gone do not accumulate.
            open.byAddress[address] = fromAddress > 1 ? fromAddress - 1 : nil
        }
    }

    var count: Int { open.withLock { $0.total } }
}
