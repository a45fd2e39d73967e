public import ArgumentParser
public import Datasets
public import TerminalGraphics

// Closed sets named on the command line by their raw values.

/// coco, yolo, imagefolder, voc.
extension DatasetFormat: ExpressibleByArgument {}

/// true, 256, 16, none.
extension ColorMode: ExpressibleByArgument {}

/// fs, ordered, none.
extension Dithering: ExpressibleByArgument {}
