import Foundation
import NIOPosix

/// The user's own pipeline file, read off the cooperative threads.
enum ConfigFile {
    struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    /// Above this a file is not a pipeline; the parser's own limit is lower and says so in its words.
    static let maxBytes = 1024 * 1024

    static func read(_ path: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw Unreadable(description: "\(path) cannot be read: no such file, or no permission (pass the pipeline file's path)")
            }
            defer { try? handle.close() }
            let data = try handle.read(upToCount: maxBytes + 1) ?? Data()
            guard let text = String(data: data, encoding: .utf8) else {
                throw Unreadable(description: "\(path) is not UTF-8 text; save it as UTF-8")
            }
            return text
        }
    }
}
