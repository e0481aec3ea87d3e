import FlowForgeTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import FlowForgeServer

/// `POST /api/v1/pipelines` with `multipart/form-data`: an uploaded archive instead of a clone.
@Suite("pipelines from uploaded sources", .needsDocker, .dockerPrerequisites)
struct PipelineUploadTests {
    /// Writes an archive with Python's tarfile/zipfile (which also write hostile entries); returns its bytes.
    static func archive(_ script: String) throws -> [UInt8] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ff-upload-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import io, tarfile, zipfile\nout = \(String(reflecting: file.path))\n" + script]
        try process.run()
        process.waitUntilExit()
        return Array(try Data(contentsOf: file))
    }

    static let tarGz = """
        with tarfile.open(out, "w:gz") as t:
            for name, text in [("flowforge.yml", "steps:\\n  - name: show\\n    image: \(DockerTestPrerequisites.testImage)\\n    commands: [\\"cat src/hello.txt\\"]\\n"), ("src/hello.txt", "hello from the upload\\n")]:
                data = text.encode(); info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
        """

    /// A multipart body: `fields` as text parts, then the file as `source`.
    static func multipart(fields: [(String, String)], fileName: String, file: [UInt8]) -> (contentType: String, body: ByteBuffer) {
        let boundary = "ff-\(UUID().uuidString)"
        var body = ByteBuffer()
        for (name, value) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"source\"; filename=\"\(fileName)\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        body.writeBytes(file)
        body.writeString("\r\n--\(boundary)--\r\n")
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    static func upload(_ client: some TestClientProtocol, key: String, fields: [(String, String)] = [], fileName: String, file: [UInt8]) async throws -> TestResponse {
        let (contentType, body) = multipart(fields: fields, fileName: fileName, file: file)
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(key)"
        headers[.contentType] = contentType
        return try await client.execute(uri: "/api/v1/pipelines", method: .post, headers: headers, body: body)
    }

    @Test func aTarGzAndAZipRunAsTheWorkspace() async throws {
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let tarGz = try Self.archive(Self.tarGz)
            let created = try await Self.upload(client, key: key, fileName: "project.tar.gz", file: tarGz)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let id = try #require(try json(created)["id"] as? String)
            let finished = try await client.awaitPipeline(id, key: key)
            #expect(finished["status"] as? String == "success", "\(finished)")
            #expect(finished["repo_url"] as? String == "upload:project.tar.gz")
            #expect((finished["commit_sha"] as? String)?.count == 40, "the archive's SHA-1 names what ran")
            #expect(try await client.logs(id, key: key).contains("hello from the upload"))

            // A zip with the usual fields beside it: commands instead of its flowforge.yml, and env.
            let zip = try Self.archive("""
                with zipfile.ZipFile(out, "w") as z:
                    z.writestr("data/value.txt", "zipped-content\\n")
                """)
            let second = try await Self.upload(client, key: key, fields: [
                ("commands", "cat data/value.txt"), ("commands", "echo \"mode=$MODE\""), ("env", #"{"MODE": "upload"}"#), ("branch", "feature/x"),
            ], fileName: "src.zip", file: zip)
            #expect(second.status == .created, "\(String(buffer: second.body))")
            let secondID = try #require(try json(second)["id"] as? String)
            #expect(try await client.awaitPipeline(secondID, key: key)["status"] as? String == "success")
            let log = try await client.logs(secondID, key: key)
            #expect(log.contains("zipped-content") && log.contains("mode=upload"), "\(log)")

            // Its archive is not kept once it ended: a restart says to upload again.
            let restart = try await client.send(.post, "/api/v1/pipelines/\(secondID)/restart", token: key)
            #expect(restart.status == .conflict && String(buffer: restart.body).contains("upload it again"))
        }
    }

    @Test func hostileWrongTypeAndMalformedUploadsAreRefusedClearly() async throws {
        try await withTestApp(environment: pipelineEnvironment(["MAX_FILE_SIZE": "65536"])) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let escaping = try Self.archive("""
                with tarfile.open(out, "w") as t:
                    data = b"x"; info = tarfile.TarInfo("../../etc/cron.d/evil"); info.size = 1; t.addfile(info, io.BytesIO(data))
                """)
            let refused = try await Self.upload(client, key: key, fileName: "evil.tar", file: escaping)
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains("invalid_archive") && String(buffer: refused.body).contains("would leave the workspace"), "\(String(buffer: refused.body))")

            let linkOut = try Self.archive("""
                with tarfile.open(out, "w") as t:
                    info = tarfile.TarInfo("escape"); info.type = tarfile.SYMTYPE; info.linkname = "/etc"; t.addfile(info)
                """)
            let link = try await Self.upload(client, key: key, fileName: "link.tar", file: linkOut)
            #expect(link.status == .unprocessableContent && String(buffer: link.body).contains("outside the source"))

            let rar = try await Self.upload(client, key: key, fileName: "project.rar", file: Array("Rar!".utf8))
            #expect(rar.status == .unsupportedMediaType && String(buffer: rar.body).contains("ALLOWED_FILE_TYPES"), "\(String(buffer: rar.body))")

            let big = try await Self.upload(client, key: key, fileName: "big.tar", file: [UInt8](repeating: 0, count: 70_000))
            #expect(big.status == .contentTooLarge)

            let unknownField = try await Self.upload(client, key: key, fields: [("image", "alpine")], fileName: "x.tar", file: try Self.archive(Self.tarGz))
            #expect(unknownField.status == .unprocessableContent && String(buffer: unknownField.body).contains("image"))

            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(key)"
            headers[.contentType] = "multipart/form-data; boundary=abc"
            let malformed = try await client.execute(uri: "/api/v1/pipelines", method: .post, headers: headers, body: ByteBuffer(string: "--abc\r\nno headers end"))
            #expect(malformed.status == .badRequest && String(buffer: malformed.body).contains("malformed_multipart"))

            // Nothing was queued by any of these.
            let list = try json(try await client.send(.get, "/api/v1/pipelines", token: key))
            #expect((list["pipelines"] as? [Any])?.isEmpty == true)
        }
    }
}
