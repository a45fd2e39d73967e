import Foundation
import ImageIO
import StudioCore

/// A small detection dataset written to disk as COCO: red squares and blue upright bars on grey
/// noise, every third image dimmed (`light: dark`), each object `size: small` under 300 px², which a detector learns in a few hundred steps.
/// `folder/name/annotations.json` + `folder/name/images/N.png`.
public enum ShapesDataset {
    public static func write(in folder: TemporaryDirectory, name: String, count: Int, seed: UInt64, width: Int = 128, height: Int = 96)
        throws
    {
        var random = RandomStream(seed: seed)
        var images: [String] = []
        var annotations: [String] = []
        var id = 1
        for i in 0..<count {
            let dark = i % 3 == 0
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            for p in 0..<(width * height) {
                let v = UInt8(90 + Int(random.nextUnit() * 60))
                pixels[p * 3] = v
                pixels[p * 3 + 1] = v
                pixels[p * 3 + 2] = v
            }
            for _ in 0..<(1 + Int(random.nextUnit() * 3)) {
                let red = random.nextUnit() < 0.5
                let w = red ? 10 + Int(random.nextUnit() * 20) : 6 + Int(random.nextUnit() * 8)
                let h = red ? w : 2 * w + Int(random.nextUnit() * 10)
                let x = Int(random.nextUnit() * Double(width - w))
                let y = Int(random.nextUnit() * Double(height - h))
                for yy in y..<(y + h) {
                    for xx in x..<(x + w) {
                        let p = (yy * width + xx) * 3
                        (pixels[p], pixels[p + 1], pixels[p + 2]) = red ? (220, 40, 30) : (30, 60, 210)
                    }
                }
                annotations.append(
                    #"{"id": \#(id), "image_id": \#(i + 1), "category_id": \#(red ? 1 : 2), "bbox": [\#(x), \#(y), \#(w), \#(h)], "area": \#(w * h), "iscrowd": 0, "attributes": {"size": "\#(w * h < 300 ? "small" : "big")"}}"#
                )
                id += 1
            }
            if dark { for p in pixels.indices { pixels[p] = UInt8(Int(pixels[p]) * 2 / 5) } }
            let image = Image(width: width, height: height, layout: .rgb, pixels: .eight(pixels))
            try ImageFile.write(image, to: folder.file("\(name)/images/\(i).png"))
            images.append(
                #"{"id": \#(i + 1), "file_name": "images/\#(i).png", "width": \#(width), "height": \#(height), "attributes": {"light": "\#(dark ? "dark" : "bright")"}}"#
            )
        }
        folder.write(
            "\(name)/annotations.json",
            #"{"images": [\#(images.joined(separator: ","))], "annotations": [\#(annotations.joined(separator: ","))], "categories": [{"id": 1, "name": "red"}, {"id": 2, "name": "blue"}]}"#
        )
    }
}
