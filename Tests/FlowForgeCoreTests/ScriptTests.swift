import FlowForgeCore
import Foundation
import Testing

@Suite struct ScriptTests {
    /// Runs `script` the way the runner does, `/bin/sh -c <script>`, in a fresh temporary folder.
    func run(_ script: String) throws -> (status: Int32, output: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-script-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = folder
        process.environment = ["HOME": "/home/ci-user", "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func commandsAreEchoedLiterallyThenRun() throws {
        let step = PlanStep(name: "s", image: "i", commands: [
            #"echo "home is $HOME""#,
            "echo 'single' `echo backtick` $(echo subst)",
            "printf '%s\\n' line1 \\\n  line2",
        ])
        let result = try run(step.script)
        #expect(result.status == 0)
        #expect(result.output == """
            + echo "home is $HOME"
            home is /home/ci-user
            + echo 'single' `echo backtick` $(echo subst)
            single backtick subst
            + printf '%s\\n' line1 \\
              line2
            line1
            line2

            """)
    }

    @Test func firstFailingCommandStopsTheRest() throws {
        let step = PlanStep(name: "s", image: "i", commands: ["echo one", "exit 3", "touch never-created", "echo three"])
        let result = try run(step.script)
        #expect(result.status == 3)
        #expect(result.output == "+ echo one\none\n+ exit 3\n")
        let failing = PlanStep(name: "s", image: "i", commands: ["false", "echo after"])
        let second = try run(failing.script)
        #expect(second.status == 1)
        #expect(second.output == "+ false\n")
    }

    @Test func echoDoesNotExecuteQuotedInjection() throws {
        let step = PlanStep(name: "s", image: "i", commands: ["echo done # '; echo INJECTED; '"])
        let result = try run(step.script)
        #expect(result.output == "+ echo done # '; echo INJECTED; '\ndone\n")
    }
}
