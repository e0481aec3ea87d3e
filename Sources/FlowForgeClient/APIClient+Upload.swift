import Foundation
import NIOCore
import NIOHTTP1

extension APIClient {
    /// `POST path` as `multipart/form-data`: `fields` as text parts (a name may repeat), then `file` as the
    /// part `source` named `fileName`. Returns the answer's JSON object, like `call`.
    public func upload(_ path: String, fields: [(String, String)], fileName: String, file: [UInt8]) async throws -> [String: Any] {
        let boundary = "flowforge-\(UUID().uuidString)"
        var body = ByteBuffer()
        for (name, value) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(name))\"\r\n\r\n")
            body.writeString(value)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"source\"; filename=\"\(Self.quoted(fileName))\"\r\n")
        body.writeString("Content-Type: application/octet-stream\r\n\r\n")
        body.writeBytes(file)
        body.writeString("\r\n--\(boundary)--\r\n")
        var request = try request(.POST, path)
        request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
        request.body = .bytes(body)
        let response = try await execute(request, timeout: .minutes(10))
        let answer = try await response.body.collect(upTo: Self.maxJSONBytes)
        try Self.check(response.status, body: answer)
        guard let object = try? JSONSerialization.jsonObject(with: Data(answer.readableBytesView)) as? [String: Any] else {
            throw APIClientError.unexpected("the server's answer to POST \(path) is not a JSON object")
        }
        return object
    }

    /// A header parameter's value without the characters that would end it.
    static func quoted(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\"" && $0 != "\r" && $0 != "\n" && $0 != "\\" }.map(Character.init))
    }
}
