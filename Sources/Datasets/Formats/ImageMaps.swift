/// Per-image maps a renderer writes beside a dataset's images: the instance mask and the depth
/// map, 16-bit PNGs in folders of their own. A map takes its image's name with `.png` for an
/// extension (`images/a.jpg` → `masks/a.png`), so a JPEG image's map is still a PNG by name.
public enum ImageMaps {
    /// The folders maps live in, beside `images/`.
    public static let folders = ["masks", "depth"]

    /// The file name of an image's map: its name with the extension replaced by `.png`.
    public static func fileName(forImage name: String) -> String {
        let file = name.split(separator: "/").last.map(String.init) ?? name
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file + ".png" }
        return file[..<dot] + ".png"
    }
}
