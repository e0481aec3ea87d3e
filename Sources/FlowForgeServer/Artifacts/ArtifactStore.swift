import Foundation
import NIOCore

/// Where artifact and cache bytes live: the data directory (`FileArtifactStore`) or an S3-compatible bucket
/// (`S3ArtifactStore`). Keys are FlowForge's own (`artifacts/<pipeline>/<id>`, `caches/<account>/<id>`), never
/// a user's file name, so a store never has to make a user's path safe.
///
/// Contract: `put` stores exactly `size` bytes read from the local file at `file` (which FlowForge staged
/// and nobody else writes), whose SHA-256 is `sha256` (lower-case hex), replacing an object of the same key;
/// it returns once the object is durable, or throws and leaves no object behind it. `read` streams an
/// object in pieces in order and returns false without calling `body` when no object has the key. `delete`
/// is idempotent: deleting a missing key is no error. All are safe to call concurrently.
protocol ArtifactStore: Sendable {
    func put(key: String, file: URL, size: Int64, sha256: String) async throws
    func read(key: String, _ body: (ByteBuffer) async throws -> Void) async throws -> Bool
    func delete(key: String) async throws
}

/// A store that answered but refused, in words for the operator's log.
struct ArtifactStoreError: Error, CustomStringConvertible {
    var description: String
}
