internal import Datasets
internal import Foundation
internal import StudioCore

/// One line a worker writes on stdout: newline-delimited JSON, one event per line.
///
/// `{"event":"started","total":100}`, `{"event":"progress","done":3,"total":100,"rate":1.5}`,
/// `{"event":"artifact","index":2,"unit":"2"}` (a whole unit is ready in the staging folder),
/// `{"event":"log","message":"…"}`, `{"event":"finished"}`, `{"event":"failed","message":"…"}`.
public enum JobEvent: Sendable, Hashable {
    case started(total: Int)
    case progress(done: Int, total: Int, rate: Double)
    case artifact(index: Int, unit: String)
    case log(String)
    case finished
    case failed(String)

    /// The event as one line of JSON, with its newline.
    public func line() -> String {
        let members: [(String, JSONValue)]
        switch self {
        case .started(let total): members = [("event", .string("started")), ("total", .int(total))]
        case .progress(let done, let total, let rate):
            members = [
                ("event", .string("progress")), ("done", .int(done)), ("total", .int(total)),
                ("rate", .double(rate.isFinite ? (rate * 1000).rounded() / 1000 : 0)),
            ]
        case .artifact(let index, let unit): members = [("event", .string("artifact")), ("index", .int(index)), ("unit", .string(unit))]
        case .log(let message): members = [("event", .string("log")), ("message", .string(message))]
        case .finished: members = [("event", .string("finished"))]
        case .failed(let message): members = [("event", .string("failed")), ("message", .string(message))]
        }
        return JSONValue.object(members).serialized() + "\n"
    }

    /// Parses one line; anything else is a protocol violation (the supervisor then fails the job
    /// with the worker's stderr tail).
    public static func parse(_ line: some StringProtocol) throws(EngineError) -> JobEvent {
        let text = String(line)
        func bad(_ why: String) -> EngineError {
            let shown = text.count > 120 ? String(text.prefix(120)) + "…" : text
            return EngineError(.protocolViolation, "worker wrote \"\(shown)\": \(why)")
        }
        guard let object = try? JSONReader.parse(Array(text.utf8)), object.members != nil else { throw bad("not a JSON object") }
        guard let kind = object["event"]?.string else { throw bad("no \"event\"") }
        func int(_ key: String) throws(EngineError) -> Int {
            guard let n = object[key]?.integer, n >= 0 else {
                throw bad("\"\(key)\" must be a non-negative integer")
            }
            return n
        }
        func string(_ key: String) throws(EngineError) -> String {
            guard let s = object[key]?.string else { throw bad("\"\(key)\" must be a string") }
            return s
        }
        switch kind {
        case "started": return .started(total: try int("total"))
        case "progress":
            let done = try int("done"), total = try int("total")
            guard let rate = object["rate"]?.number, rate.isFinite, rate >= 0 else {
                throw bad("\"rate\" must be a number")
            }
            return .progress(done: done, total: total, rate: rate)
        case "artifact":
            let unit = try string("unit")
            guard !unit.isEmpty, !unit.contains("/"), unit != ".", unit != ".." else {
                throw bad("\"unit\" must name one folder of the staging area")
            }
            return .artifact(index: try int("index"), unit: unit)
        case "log": return .log(try string("message"))
        case "finished": return .finished
        case "failed": return .failed(try string("message"))
        default: throw bad("unknown event \"\(kind)\"")
        }
    }
}

extension JobEvent {
    /// The event's name as written in its line.
    public var kind: String {
        switch self {
        case .started: "started"
        case .progress: "progress"
        case .artifact: "artifact"
        case .log: "log"
        case .finished: "finished"
        case .failed: "failed"
        }
    }
}
