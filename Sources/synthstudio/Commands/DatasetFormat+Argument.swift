public import ArgumentParser
public import Datasets

/// Formats are named on the command line by their raw values: coco, yolo, imagefolder, voc.
extension DatasetFormat: ExpressibleByArgument {}
