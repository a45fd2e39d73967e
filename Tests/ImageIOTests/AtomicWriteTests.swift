import ImageIO
import StudioCore
import TestSupport
import Testing

@Suite("Atomic writes")
struct AtomicWriteTests {
    @Test("write replaces the file whole and leaves no temporary behind")
    func replaces() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("out/a.png")
        let first = TestImages.pattern(width: 8, height: 8, layout: .rgb, seed: 1)
        let second = TestImages.pattern(width: 9, height: 3, layout: .gray, seed: 2)
        try ImageFile.write(first, to: path)
        try ImageFile.write(second, to: path)
        #expect(try ImageFile.read(path) == second)
        #expect(dir.list("out") == ["a.png"])
    }

    @Test("a failed write leaves the old file and no temporary")
    func failure() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("a.png")
        let image = TestImages.pattern(width: 4, height: 4, layout: .rgb)
        try ImageFile.write(image, to: path)
        // An empty image cannot be encoded: the error comes before anything touches the disk.
        #expect(throws: ImageIOError.self) { try ImageFile.write(Image(width: 0, height: 0, layout: .rgb), to: path) }
        #expect(try ImageFile.read(path) == image)
        #expect(dir.list() == ["a.png"])
        // A folder that does not exist: a clear error naming the file.
        let error = #expect(throws: ImageIOError.self) { try ImageFile.write(image, to: "\(dir.path)/nope/b.png") }
        #expect(error?.code == .writeFailed)
        #expect(error?.path == "\(dir.path)/nope/b.png")
        #expect(throws: ImageIOError.self) { try ImageFile.write(image, to: "\(dir.path)/b.gif") }
    }

    @Test("written files get the usual permissions")
    func permissions() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("p.pgm")
        try ImageFile.write(TestImages.grayRamp(), to: path)
        let attributes = try FileManagerPermissions.mode(path)
        #expect(attributes & 0o044 != 0)  // readable by others, as with a plain create under umask 022
    }
}
