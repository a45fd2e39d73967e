internal import ImageIO
internal import StudioCore

/// Learns image sizes from headers, on all cores, without reading again the files whose size and
/// modification time match what is already known (the catalog passes what it indexed before).
public struct ImageProber: Sendable {
    /// What is known of one image file.
    public struct Known: Sendable, Hashable {
        public var size: Int
        public var modified: Int64
        public var width: Int
        public var height: Int

        public init(size: Int, modified: Int64, width: Int, height: Int) {
            self.size = size
            self.modified = modified
            self.width = width
            self.height = height
        }
    }

    /// Known images by path (as the dataset reader forms it: root + "/" + relative path).
    public var known: [String: Known]

    public init(known: [String: Known] = [:]) {
        self.known = known
    }

    /// Width and height of every path, in order; (0, 0) and a problem for those that fail.
    func sizes(of paths: [String], problems: inout [DatasetsError]) -> [(width: Int, height: Int)] {
        let known = self.known
        let results = Parallel.map(paths.count) { i -> Result<(Int, Int), DatasetsError> in
            let path = paths[i]
            if let entry = known[path], let status = FileIO.status(path), status.size == entry.size, status.modified == entry.modified {
                return .success((entry.width, entry.height))
            }
            do throws(ImageIOError) {
                let info = try ImageFile.probe(path)
                return .success((info.width, info.height))
            } catch {
                return .failure(DatasetsError(.unreadable, path: path, error.message))
            }
        }
        return results.map { result in
            switch result {
            case .success(let size): return size
            case .failure(let error):
                problems.append(error)
                return (0, 0)
            }
        }
    }
}
