import AsyncHTTPClient
import Crypto
import FlowForgeTestSupport
import Foundation
import NIOCore
import Testing
@testable import FlowForgeServer

/// The bucket store against a real S3-compatible server (moto in server mode on 127.0.0.1), and its
/// signer against the example in AWS's Signature V4 documentation.
@Suite struct S3ArtifactStoreTests {
    @Test func theSignatureMatchesAWSsDocumentedExample() {
        // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "GET Object".
        let signer = SignatureV4(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
        let headers = signer.sign(
            method: "GET", path: "/test.txt", headers: ["Host": "examplebucket.s3.amazonaws.com", "Range": "bytes=0-9"],
            payloadHash: SignatureV4.emptyPayloadHash, date: Date(timeIntervalSince1970: 1_369_353_600))
        #expect(headers["x-amz-date"] == "20130524T000000Z")
        #expect(headers["Authorization"] == """
            AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
            SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
            Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41
            """)
    }

    @Test func objectsArePutStreamedBackAndDeleted() async throws {
        let moto = try await MotoServer()
        let settings = try await Self.bucket(on: moto)
        let store = S3ArtifactStore(settings: settings, httpClient: .shared)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("s3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Larger than one chunk of the upload, so the body really streams in pieces.
        let bytes = (0..<(700 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let file = folder.appendingPathComponent("blob")
        try Data(bytes).write(to: file)
        let key = "artifacts/p1/\(UUID().uuidString.lowercased())"
        try await store.put(key: key, file: file, size: Int64(bytes.count), sha256: Self.sha256(bytes))

        var read: [UInt8] = []
        var pieces = 0
        #expect(try await store.read(key: key) { chunk in read += Array(buffer: chunk); pieces += 1 })
        #expect(read == bytes)
        #expect(pieces > 1, "streamed, not collected whole")

        try await store.delete(key: key)
        #expect(try await store.read(key: key) { _ in Issue.record("a deleted object was read") } == false)
        try await store.delete(key: key)  // twice: no error
    }

    /// A fresh bucket on `moto`, made with a signed `PUT /<bucket>`.
    static func bucket(on moto: MotoServer) async throws -> ObjectStoreSettings {
        let settings = ObjectStoreSettings(
            accessKey: "test-key", secretKey: "test-secret", bucket: "flowforge-\(UUID().uuidString.prefix(8).lowercased())",
            region: "us-east-1", endpoint: moto.endpoint)
        let path = "/\(settings.bucket)"
        var request = HTTPClientRequest(url: settings.endpoint + path)
        request.method = .PUT
        request.headers.add(name: "host", value: settings.hostHeader)
        let signer = SignatureV4(accessKey: settings.accessKey, secretKey: settings.secretKey, region: settings.region)
        for (name, value) in signer.sign(method: "PUT", path: path, headers: ["host": settings.hostHeader], payloadHash: SignatureV4.emptyPayloadHash, date: Date()) {
            request.headers.add(name: name, value: value)
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok, "creating the bucket: \(response.status) \(moto.log)")
        return settings
    }

    /// The bucket's object listing (ListObjectsV2), as XML.
    static func listObjects(_ settings: ObjectStoreSettings) async throws -> String {
        let path = "/\(settings.bucket)"
        var request = HTTPClientRequest(url: settings.endpoint + path + "?list-type=2")
        request.headers.add(name: "host", value: settings.hostHeader)
        let signer = SignatureV4(accessKey: settings.accessKey, secretKey: settings.secretKey, region: settings.region)
        let signature = signer.sign(
            method: "GET", path: path, query: [("list-type", "2")], headers: ["host": settings.hostHeader],
            payloadHash: SignatureV4.emptyPayloadHash, date: Date())
        for (name, value) in signature { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return String(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        Data(SHA256.hash(data: bytes)).hexString
    }
}
