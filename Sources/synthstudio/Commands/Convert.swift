import ArgumentParser
import Datasets
import Foundation
import StudioCore

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a dataset to COCO, YOLO or ImageFolder.",
        discussion: "The output folder must be new or empty; images are copied (ImageFolder crops boxes into class folders)."
    )

    @Argument(help: "The dataset folder to read.")
    var source: String

    @Option(help: "Format of the source (default: detected).")
    var from: DatasetFormat?

    @Option(help: "Format to write: coco, yolo or imagefolder.")
    var to: DatasetFormat

    @Option(help: "The folder to write (created; must be empty).")
    var out: String

    func validate() throws {
        if to == .voc { throw ValidationError("Pascal VOC can be read but not written; use --to coco, yolo or imagefolder") }
    }

    func run() throws {
        try reportingErrors {
            let dataset = try DatasetIO.read(source, format: from)
            let notes = try DatasetIO.write(dataset, as: to, to: out)
            emit(
                "wrote \(grouped(dataset.samples.count)) images, \(grouped(dataset.annotationCount)) annotations as \(to.rawValue) to \(out.terminalSafe)"
            )
            for note in notes { emit("note: \(note.terminalSafe)") }
        }
    }
}
