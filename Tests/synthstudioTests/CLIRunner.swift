import Foundation
import Glibc
import ImageIO

/// Runs the built `synthstudio` binary (it sits beside the test bundle in the build folder).
struct CLIRunner {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let binary: String = {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = testBinary.deletingLastPathComponent()
        // The test binary may sit inside an .xctest bundle folder.
        while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("synthstudio").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("synthstudio").path
    }()

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

    /// Copies the built binary to `path` (its folder created), as a user installs it. Written
    /// through a close-on-exec descriptor: `FileManager.copyItem`'s descriptor was inherited by
    /// processes other tests spawned meanwhile (asset probes, CLI runs), and while they lived the
    /// copy could not be started ("Text file busy").
    static func copyBinary(to path: String) throws {
        try FileManager.default.createDirectory(atPath: FileIO.parentDirectory(of: path), withIntermediateDirectories: true)
        try FileIO.writeAtomically(try FileIO.read(binary), to: path, durable: false)
        guard chmod(path, 0o755) == 0 else { throw CocoaError(.fileWriteNoPermission) }
    }

    /// Runs `binary` (default: the built one) in `directory` (default: the repository).
    static func run(
        _ arguments: [String], environment: [String: String] = [:], binary: String = binary, directory: String = repository
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NO_COLOR")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try run(arguments)
        guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw CocoaError(.coderInvalidValue)
        }
        return object
    }
}
