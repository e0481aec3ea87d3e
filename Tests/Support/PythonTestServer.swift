import Foundation

/// Starts a small Python server for tests: `python3 -c script arguments…`, which must print its port
/// (bound on 127.0.0.1) on its first line. Returns the running process and that port; a script that exits
/// or prints no port is ended and throws.
public enum PythonTestServer {
    public static func launch(script: String, arguments: [String]) throws -> (process: Process, port: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw CancellationError()
        }
        return (process, port)
    }
}
