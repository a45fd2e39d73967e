import Foundation
// `make fuzz` builds this with `-sanitize=fuzzer,address -D FUZZING`: libFuzzer drives the target
// named by FUZZ_TARGET. Built normally (as `make test` builds it), it replays files through a
// target: `synthstudio-fuzz TARGET FILE…`, for reproducing a crasher by hand.
import FuzzTargets

#if FUZZING
    nonisolated(unsafe) private var target = ""

    /// libFuzzer's driver, entered from our own main (SwiftPM links an executable's entry point
    /// under its own name, so libFuzzer's `main` is not the one that runs).
    @_silgen_name("LLVMFuzzerRunDriver")
    func runDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    @_cdecl("synthstudio_fuzz_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        target = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
        guard FuzzTargets.names.contains(target) else {
            fatalError("set FUZZ_TARGET to one of \(FuzzTargets.names.joined(separator: ", "))")
        }
        var count = argc
        var arguments = argv
        return runDriver(&count, &arguments, testOneInput)
    }

    /// One input (libFuzzer's archive also refers to it by this name).
    @_cdecl("LLVMFuzzerTestOneInput")
    public func testOneInput(_ start: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        FuzzTargets.run(target, start.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
#else
    @main
    struct Replay {
        static func main() {
            let arguments = CommandLine.arguments.dropFirst()
            guard let target = arguments.first, FuzzTargets.names.contains(target) else {
                print("usage: synthstudio-fuzz TARGET FILE…  (targets: \(FuzzTargets.names.joined(separator: ", ")))")
                exit(2)
            }
            for path in arguments.dropFirst() {
                FuzzTargets.run(target, Array(FileManager.default.contents(atPath: path) ?? Data()))
                print("\(path): no crash")
            }
        }
    }
#endif
