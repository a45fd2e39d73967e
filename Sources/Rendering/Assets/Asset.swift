internal import CAssimp
internal import Foundation
internal import Glibc
internal import ImageIO
internal import StudioCore

/// Why an asset could not be used, naming the file and the part.
public struct AssetError: Error, Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let message: String

    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file.terminalSafe): \(message.terminalSafe)" }
}

/// A surface's look: glTF's metallic-roughness model (base colour × texture, metallic and
/// roughness × the texture's blue and green, a tangent-space normal map, emission, alpha cut-out).
public struct SurfaceMaterial: Sendable {
    public var name = ""
    /// Linear RGB and alpha.
    public var baseColor = SIMD4<Float>(0.8, 0.8, 0.8, 1)
    public var baseColorTexture: Texture?
    public var metallic: Float = 0
    public var roughness: Float = 0.5
    /// Green: roughness, blue: metallic (glTF's layout).
    public var metallicRoughnessTexture: Texture?
    public var normalTexture: Texture?
    public var emissive = SIMD3<Float>(repeating: 0)
    public var emissiveTexture: Texture?
    /// Alpha below this is a hole (glTF's MASK mode); nil: opaque.
    public var alphaCutoff: Float?
    /// Light let through, 0…1 (glTF's KHR_materials_transmission): a thin sheet of glass, tinted
    /// by the base colour, reflecting by Fresnel at `ior` (KHR_materials_ior, 1.5 by default).
    public var transmission: Float = 0
    public var ior: Float = 1.5
    /// KHR_materials_volume with a thickness: the surface bounds a solid of glass that bends
    /// light by `ior` where it enters and leaves (false: a thin sheet, glTF's default).
    public var volume = false
    /// Inside such a solid, the share of each channel lost per metre (Beer–Lambert: from
    /// attenuationColor reached at attenuationDistance); zero for clear glass.
    public var absorption = SIMD3<Float>(repeating: 0)

    public init() {}
}

/// A triangle mesh in the asset's own space (the node transforms above it applied).
public struct AssetMesh: Sendable {
    public var positions: [SIMD3<Float>]
    /// Unit, one per position.
    public var normals: [SIMD3<Float>]
    /// Texture coordinates (origin top left), one per position, or empty.
    public var uvs: [SIMD2<Float>]
    /// Unit tangents with the bitangent's handedness in w, or empty.
    public var tangents: [SIMD4<Float>]
    public var triangles: [SIMD3<UInt32>]
    public var material: Int

    public init(
        positions: [SIMD3<Float>], normals: [SIMD3<Float>], uvs: [SIMD2<Float>], tangents: [SIMD4<Float>], triangles: [SIMD3<UInt32>],
        material: Int
    ) {
        self.positions = positions
        self.normals = normals
        self.uvs = uvs
        self.tangents = tangents
        self.triangles = triangles
        self.material = material
    }
}

/// A 3D asset file read through Assimp: glTF 2.0 (`.gltf` + `.bin`, `.glb`, embedded images),
/// OBJ + MTL, FBX, COLLADA, PLY, STL and the other formats Assimp reads. The node hierarchy is
/// flattened into meshes in the asset's space; textures are decoded with our own PNG and JPEG
/// decoders. Everything is checked before use: a broken file is an `AssetError`, never a crash.
public struct Asset: Sendable {
    public let file: String
    public var meshes: [AssetMesh]
    public var materials: [SurfaceMaterial]
    /// What Assimp noted while reading (unreferenced vertices, …) that did not stop it.
    public var warnings: [String] = []
    /// The joints and animation of a skinned file (nil for a rigid one).
    public var skeleton: Skeleton? = nil

    /// Limits on what one file may hold, checked before copying.
    public static let maxTriangles = 20_000_000
    public static let maxNodes = 1_000_000
    public static let maxDepth = 256

    public var triangleCount: Int { meshes.reduce(0) { $0 + $1.triangles.count } }

    /// Corners of the box around every vertex.
    public var bounds: (min: SIMD3<Float>, max: SIMD3<Float>) {
        var lo = SIMD3<Float>(repeating: .greatestFiniteMagnitude), hi = -lo
        for mesh in meshes {
            for p in mesh.positions {
                lo = pointwiseMin(lo, p)
                hi = pointwiseMax(hi, p)
            }
        }
        return (lo, hi)
    }

    public init(file: String, meshes: [AssetMesh], materials: [SurfaceMaterial]) {
        self.file = file
        self.meshes = meshes
        self.materials = materials.isEmpty ? [SurfaceMaterial()] : materials
    }

    /// A glTF file's JSON (a `.gltf`, or a `.glb`'s framing and JSON chunk) read by our own
    /// reader before Assimp sees it: Assimp 5.2 overflows a stack buffer on some malformed JSON
    /// (found by `make fuzz`), and then behaves differently from run to run — refused, crashed
    /// or looping — so no trial read in a child can vouch for it.
    static func checkGLTF(_ path: String) throws(AssetError) {
        let kind = path.split(separator: ".").last?.lowercased() ?? ""
        guard kind == "gltf" || kind == "glb" else { return }
        func fail(_ message: String) -> AssetError { AssetError(file: path, message) }
        func word(_ bytes: [UInt8], _ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        let json: [UInt8]
        do {
            let head = try FileIO.readPrefix(path, count: 20)
            if kind == "glb" || head.starts(with: Array("glTF".utf8)) {
                let size = FileIO.status(path)?.size ?? 0
                guard head.count == 20, head.starts(with: Array("glTF".utf8)) else { throw fail("not a GLB file (no glTF header)") }
                guard word(head, 4) == 2 else { throw fail("GLB version \(word(head, 4)): only version 2 is read") }
                guard word(head, 8) == size else { throw fail("the GLB header says \(word(head, 8)) bytes, the file has \(size)") }
                guard word(head, 16) == 0x4E4F_534A else { throw fail("the GLB's first chunk is not its JSON") }
                guard word(head, 12) <= size - 20 else { throw fail("the GLB's JSON chunk runs past the end of the file") }
                json = Array(try FileIO.readPrefix(path, count: 20 + word(head, 12)).dropFirst(20))
            } else {
                json = try FileIO.read(path)
            }
        } catch let error as AssetError {
            throw error
        } catch {
            throw fail("cannot read it: \(error)")
        }
        do {
            guard try JSONReader.parse(json).members != nil else { throw fail("its JSON is not an object") }
        } catch let error as AssetError {
            throw error
        } catch {
            throw fail("its JSON is not valid (\(error))")
        }
    }

    /// Imports `path`.
    public static func load(_ path: String) throws(AssetError) -> Asset {
        guard FileIO.isFile(path) else { throw AssetError(file: path, "no such file") }
        try checkGLTF(path)
        var message = [CChar](repeating: 0, count: 1024)
        guard let scene = cassimp_import(path, &message, UInt(message.count)) else {
            throw AssetError(file: path, "cannot import: \(String(cBuffer: message))")
        }
        defer { cassimp_release(scene) }
        // "Warn,  T0: text" → "text". Assimp repairs some broken files by dropping what does not
        // fit (faces with indices out of range, vertices a primitive mode cannot use): a scene
        // with parts missing is refused rather than rendered wrong.
        let warnings = String(cBuffer: message).split(separator: "\n").map { line in
            String(line.split(separator: ":", maxSplits: 1).last ?? line).trimmingCharacters(in: .whitespaces)
        }
        if let loss = warnings.first(where: { $0.contains("dropped") }) { throw AssetError(file: path, "broken: \(loss)") }
        var asset = try Importer(path: path, scene: scene.pointee).asset()
        asset.warnings = warnings.filter { !$0.hasPrefix("Failed to compute tangents") }
        return asset
    }
}

/// Reads one imported `aiScene` into an `Asset`.
private struct Importer {
    let path: String
    let scene: aiScene
    var folder: String { FileIO.parentDirectory(of: path) }

    func fail(_ message: String) -> AssetError { AssetError(file: path, message) }

    func asset() throws(AssetError) -> Asset {
        guard scene.mFlags & UInt32(AI_SCENE_FLAGS_INCOMPLETE) == 0 else { throw fail("the file is incomplete (Assimp marks it so)") }
        guard let root = scene.mRootNode else { throw fail("no root node") }
        var textures: [String: Texture] = [:]
        var materials: [SurfaceMaterial] = []
        for m in 0..<Int(scene.mNumMaterials) {
            guard let material = scene.mMaterials?[m] else { throw fail("material \(m) is missing") }
            materials.append(try self.material(material, index: m, cache: &textures))
        }
        var walked = Walked()
        try walk(root, transform: .identity, parent: -1, depth: 0, into: &walked)
        guard !walked.meshes.isEmpty else { throw fail("holds no triangles") }
        var asset = Asset(file: path, meshes: walked.meshes, materials: materials)
        if !walked.bound.isEmpty {
            asset.skeleton = try skeleton(walked)
            // At rest, a skinned mesh hangs from its joints (its own node's transform does not apply).
            asset = asset.posed(nil)
        }
        return asset
    }

    /// What the walk over the node tree gathers: meshes flattened into the asset's space, every
    /// node (for a skeleton), and the skinned meshes' bind-pose data and bones by name.
    struct Walked {
        var meshes: [AssetMesh] = []
        var nodes: [Skeleton.Node] = []
        var bound: [(mesh: Int, bind: AssetMesh, bones: [(name: String, offset: Affine, weights: [(vertex: Int, weight: Float)])])] = []
        var triangles = 0
    }

    private func walk(
        _ node: UnsafeMutablePointer<aiNode>, transform parent: Affine, parent index: Int, depth: Int, into walked: inout Walked
    ) throws(AssetError) {
        guard depth <= Asset.maxDepth else { throw fail("nodes nest deeper than \(Asset.maxDepth) levels (a cycle?)") }
        guard walked.nodes.count < Asset.maxNodes else { throw fail("more than \(Asset.maxNodes) nodes") }
        let n = node.pointee
        let local = Affine(n.mTransformation)
        let transform = parent * local
        guard transform.isFinite else { throw fail("node \(name(n.mName)) has a transform that is not finite") }
        let me = walked.nodes.count
        walked.nodes.append(Skeleton.Node(name: name(n.mName), parent: index, rest: local))
        for k in 0..<Int(n.mNumMeshes) {
            guard let index = n.mMeshes.map({ Int($0[k]) }), index < Int(scene.mNumMeshes), let mesh = scene.mMeshes?[index] else {
                throw fail("node \(name(n.mName)) refers to a mesh that does not exist")
            }
            let converted = try self.mesh(mesh.pointee, index: index, transform: transform)
            walked.triangles += converted.triangles.count
            guard walked.triangles <= Asset.maxTriangles else { throw fail("more than \(Asset.maxTriangles) triangles") }
            guard !converted.triangles.isEmpty else { continue }
            if mesh.pointee.mNumBones > 0 {
                let bind = try self.mesh(mesh.pointee, index: index, transform: .identity)
                walked.bound.append((walked.meshes.count, bind, try bones(mesh.pointee, index: index)))
            }
            walked.meshes.append(converted)
        }
        for c in 0..<Int(n.mNumChildren) {
            guard let child = n.mChildren?[c] else { throw fail("node \(name(n.mName)) has a missing child") }
            try walk(child, transform: transform, parent: me, depth: depth + 1, into: &walked)
        }
    }

    /// A skinned mesh's bones: name, inverse bind matrix, and the vertices each moves.
    private func bones(_ m: aiMesh, index: Int) throws(AssetError) -> [(
        name: String, offset: Affine, weights: [(vertex: Int, weight: Float)]
    )] {
        let part = "mesh \(index) (\(name(m.mName)))"
        var out: [(name: String, offset: Affine, weights: [(vertex: Int, weight: Float)])] = []
        for b in 0..<Int(m.mNumBones) {
            guard let bone = m.mBones?[b]?.pointee else { throw fail("\(part): bone \(b) is missing") }
            let offset = Affine(bone.mOffsetMatrix)
            guard offset.isFinite else { throw fail("\(part): bone \(name(bone.mName)) has a matrix that is not finite") }
            var weights: [(vertex: Int, weight: Float)] = []
            for w in 0..<Int(bone.mNumWeights) {
                guard let weight = bone.mWeights?[w] else { throw fail("\(part): bone \(name(bone.mName)) is missing its weights") }
                guard Int(weight.mVertexId) < Int(m.mNumVertices), weight.mWeight.isFinite else {
                    throw fail("\(part): bone \(name(bone.mName)) weighs vertex \(weight.mVertexId) of \(m.mNumVertices)")
                }
                weights.append((Int(weight.mVertexId), weight.mWeight))
            }
            out.append((name(bone.mName), offset, weights))
        }
        return out
    }

    /// The skeleton: the nodes, the first animation's channels (in seconds), and each skinned
    /// mesh's influences — four strongest bones per vertex, weights normalised.
    private func skeleton(_ walked: Walked) throws(AssetError) -> Skeleton {
        var byName: [String: Int] = [:]
        for (i, node) in walked.nodes.enumerated() where byName[node.name] == nil { byName[node.name] = i }
        var skins: [Skeleton.Skin] = []
        for (mesh, bind, bones) in walked.bound {
            var lists = [[(bone: Int, weight: Float)]](repeating: [], count: bind.positions.count)
            var resolved: [(node: Int, offset: Affine)] = []
            for (b, bone) in bones.enumerated() {
                guard let node = byName[bone.name] else { throw fail("bone \(bone.name.terminalSafe) names no node") }
                resolved.append((node, bone.offset))
                for (vertex, weight) in bone.weights where weight > 0 { lists[vertex].append((b, weight)) }
            }
            let influences = lists.map { list -> (bones: SIMD4<UInt16>, weights: SIMD4<Float>) in
                let strongest = list.sorted { $0.weight > $1.weight }.prefix(4)
                let total = strongest.reduce(0) { $0 + $1.weight }
                var bones = SIMD4<UInt16>(repeating: 0), weights = SIMD4<Float>(repeating: 0)
                for (k, entry) in strongest.enumerated() {
                    bones[k] = UInt16(entry.bone)
                    weights[k] = total > 0 ? entry.weight / total : 0
                }
                return (bones, weights)
            }
            guard resolved.count <= Int(UInt16.max) else { throw fail("a mesh with more than 65,535 bones") }
            skins.append(
                Skeleton.Skin(
                    mesh: mesh, positions: bind.positions, normals: bind.normals, tangents: bind.tangents, influences: influences,
                    bones: resolved))
        }
        var channels: [Int: Skeleton.Channel] = [:]
        var duration = 0.0
        if scene.mNumAnimations > 0, let animation = scene.mAnimations?[0]?.pointee {
            let ticks = animation.mTicksPerSecond > 0 ? animation.mTicksPerSecond : 25
            guard animation.mDuration.isFinite, ticks.isFinite else { throw fail("animation 0 has a length that is not finite") }
            duration = max(0, animation.mDuration / ticks)
            for c in 0..<Int(animation.mNumChannels) {
                guard let channel = animation.mChannels?[c]?.pointee, let node = byName[name(channel.mNodeName)] else { continue }
                func vectors(_ keys: UnsafeMutablePointer<aiVectorKey>?, _ count: UInt32) throws(AssetError) -> [(
                    time: Double, value: SIMD3<Float>
                )] {
                    guard let keys else { return [] }
                    var out: [(time: Double, value: SIMD3<Float>)] = []
                    for k in 0..<Int(count) {
                        let v = SIMD3(keys[k].mValue.x, keys[k].mValue.y, keys[k].mValue.z)
                        guard keys[k].mTime.isFinite, v.x.isFinite, v.y.isFinite, v.z.isFinite else {
                            throw fail("animation key \(k) of \(name(channel.mNodeName)) is not finite")
                        }
                        out.append((keys[k].mTime / ticks, v))
                    }
                    return out
                }
                var rotations: [(time: Double, value: Quaternion)] = []
                if let keys = channel.mRotationKeys {
                    for k in 0..<Int(channel.mNumRotationKeys) {
                        let q = keys[k].mValue
                        guard keys[k].mTime.isFinite, q.x.isFinite, q.y.isFinite, q.z.isFinite, q.w.isFinite else {
                            throw fail("animation key \(k) of \(name(channel.mNodeName)) is not finite")
                        }
                        rotations.append((keys[k].mTime / ticks, Quaternion(x: q.x, y: q.y, z: q.z, w: q.w)))
                    }
                }
                channels[node] = Skeleton.Channel(
                    positions: try vectors(channel.mPositionKeys, channel.mNumPositionKeys), rotations: rotations,
                    scales: try vectors(channel.mScalingKeys, channel.mNumScalingKeys))
            }
        }
        return Skeleton(nodes: walked.nodes, channels: channels, skins: skins, duration: duration)
    }

    private func mesh(_ m: aiMesh, index: Int, transform: Affine) throws(AssetError) -> AssetMesh {
        let part = "mesh \(index) (\(name(m.mName)))"
        let count = Int(m.mNumVertices)
        guard let vertices = m.mVertices, count > 0 else { throw fail("\(part) has no vertices") }
        guard Int(m.mMaterialIndex) < max(1, Int(scene.mNumMaterials)) else {
            throw fail("\(part) uses material \(m.mMaterialIndex), which does not exist")
        }
        var positions = [SIMD3<Float>](repeating: .zero, count: count)
        for i in 0..<count {
            let v = SIMD3<Float>(vertices[i].x, vertices[i].y, vertices[i].z)
            guard v.x.isFinite, v.y.isFinite, v.z.isFinite else { throw fail("\(part): vertex \(i) is not finite (\(v))") }
            positions[i] = transform.point(v)
        }
        let normalMatrix = transform.normalMatrix
        var normals = [SIMD3<Float>](repeating: SIMD3(0, 1, 0), count: count)
        if let source = m.mNormals {
            for i in 0..<count {
                let n = normalMatrix.vector(SIMD3(source[i].x, source[i].y, source[i].z))
                let length = (n * n).sum().squareRoot()
                if length.isFinite, length > 0 { normals[i] = n / length }
            }
        }
        let uvChannel = withUnsafeBytes(of: m.mTextureCoords) { $0.load(as: UnsafeMutablePointer<aiVector3D>?.self) }
        var uvs: [SIMD2<Float>] = []
        if let uv = uvChannel {
            uvs = (0..<count).map { SIMD2(uv[$0].x, uv[$0].y) }
            guard uvs.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else {
                throw fail("\(part) has texture coordinates that are not finite")
            }
        }
        var tangents: [SIMD4<Float>] = []
        if let t = m.mTangents, let b = m.mBitangents, uvChannel != nil {
            tangents = (0..<count).map { i in
                let tangent = transform.vector(SIMD3(t[i].x, t[i].y, t[i].z))
                let bitangent = transform.vector(SIMD3(b[i].x, b[i].y, b[i].z))
                let n = normals[i]
                let cross = SIMD3(
                    n.y * tangent.z - n.z * tangent.y, n.z * tangent.x - n.x * tangent.z, n.x * tangent.y - n.y * tangent.x)
                let length = (tangent * tangent).sum().squareRoot()
                guard length.isFinite, length > 0 else { return SIMD4(1, 0, 0, 1) }
                let u = tangent / length
                return SIMD4(u.x, u.y, u.z, (cross * bitangent).sum() < 0 ? -1 : 1)
            }
        }
        var triangles: [SIMD3<UInt32>] = []
        triangles.reserveCapacity(Int(m.mNumFaces))
        for f in 0..<Int(m.mNumFaces) {
            guard let face = m.mFaces?[f] else { throw fail("\(part): face \(f) is missing") }
            // Points and lines are dropped on import; a polygon left untriangulated is skipped.
            guard face.mNumIndices == 3, let indices = face.mIndices else { continue }
            let t = SIMD3(indices[0], indices[1], indices[2])
            guard t.x < UInt32(count), t.y < UInt32(count), t.z < UInt32(count) else {
                throw fail("\(part): face \(f) refers to vertex \(max(t.x, t.y, t.z)) of \(count)")
            }
            triangles.append(t)
        }
        return AssetMesh(
            positions: positions, normals: normals, uvs: uvs, tangents: tangents, triangles: triangles, material: Int(m.mMaterialIndex))
    }

    private func material(_ pointer: UnsafeMutablePointer<aiMaterial>, index: Int, cache: inout [String: Texture]) throws(AssetError)
        -> SurfaceMaterial
    {
        var out = SurfaceMaterial()
        var color = aiColor4D()
        if cassimp_base_color(pointer, &color) != 0 { out.baseColor = SIMD4(color.r, color.g, color.b, color.a) }
        out.metallic = cassimp_metallic(pointer, 0)
        out.roughness = cassimp_roughness(pointer, 0.5)
        if cassimp_emissive_color(pointer, &color) != 0 {
            out.emissive = SIMD3(color.r, color.g, color.b) * cassimp_emissive_intensity(pointer, 1)
        }
        out.baseColor.w *= cassimp_opacity(pointer, 1)
        if cassimp_alpha_mode(pointer) == 1 { out.alphaCutoff = cassimp_alpha_cutoff(pointer, 0.5) }
        out.transmission = cassimp_transmission(pointer, 0)
        out.ior = cassimp_ior(pointer, 1.5)
        let thickness = cassimp_volume_thickness(pointer, 0), distance = cassimp_attenuation_distance(pointer, .infinity)
        var attenuation = aiColor4D(r: 1, g: 1, b: 1, a: 1)
        _ = cassimp_attenuation_color(pointer, &attenuation)
        let values =
            [out.baseColor.x, out.baseColor.y, out.baseColor.z, out.baseColor.w, out.metallic, out.roughness] + [
                out.emissive.x, out.emissive.y, out.emissive.z, out.transmission, out.ior, thickness, attenuation.r, attenuation.g,
                attenuation.b,
            ]
        guard values.allSatisfy(\.isFinite), !distance.isNaN else { throw fail("material \(index) has a value that is not finite") }
        out.volume = out.transmission > 0 && thickness > 0
        if out.volume, distance > 0, distance.isFinite {
            let color = pointwiseMax(
                SIMD3(repeating: 1e-4), pointwiseMin(SIMD3(repeating: 1), SIMD3(attenuation.r, attenuation.g, attenuation.b)))
            out.absorption = SIMD3(-logf(color.x), -logf(color.y), -logf(color.z)) / distance
        }
        out.baseColor = pointwiseMax(.zero, pointwiseMin(SIMD4(repeating: 1), out.baseColor))
        out.metallic = max(0, min(1, out.metallic))
        out.roughness = max(0, min(1, out.roughness))
        out.transmission = max(0, min(1, out.transmission))
        // An index of 1 (or Assimp's 0 for "none") would be no glass at all; beyond 3, no glass either.
        out.ior = out.ior >= 1.01 && out.ior <= 3 ? out.ior : 1.5
        func texture(_ type: aiTextureType, _ encoding: Texture.Encoding) throws(AssetError) -> Texture? {
            var path = aiString(), uv: UInt32 = 0
            var wrap = (aiTextureMapMode_Wrap, aiTextureMapMode_Wrap)
            let found = withUnsafeMutableBytes(of: &wrap) { w in
                cassimp_texture(pointer, type, &path, &uv, w.baseAddress!.assumingMemoryBound(to: aiTextureMapMode.self))
            }
            guard found != 0 else { return nil }
            var t = try load(name(path), encoding, material: index, cache: &cache)
            t.wrap = wrap.0 == aiTextureMapMode_Clamp ? .clamped : (wrap.0 == aiTextureMapMode_Mirror ? .mirrored : .repeating)
            return t
        }
        out.baseColorTexture = try texture(aiTextureType_BASE_COLOR, .sRGB)
        if out.baseColorTexture == nil { out.baseColorTexture = try texture(aiTextureType_DIFFUSE, .sRGB) }
        out.normalTexture = try texture(aiTextureType_NORMALS, .linear)
        out.emissiveTexture = try texture(aiTextureType_EMISSIVE, .sRGB)
        var path = aiString(), uv: UInt32 = 0
        if cassimp_metallic_roughness_texture(pointer, &path, &uv) != 0 {
            out.metallicRoughnessTexture = try load(name(path), .linear, material: index, cache: &cache)
        }
        if out.emissiveTexture != nil, out.emissive == .zero { out.emissive = SIMD3(repeating: 1) }
        return out
    }

    /// A texture by the name a material gives: `*N` is the file's embedded texture N, anything
    /// else a file beside the asset.
    private func load(_ reference: String, _ encoding: Texture.Encoding, material: Int, cache: inout [String: Texture]) throws(AssetError)
        -> Texture
    {
        let key = "\(reference)|\(encoding)"
        if let known = cache[key] { return known }
        let part = "material \(material)'s texture \(reference)"
        let image: Image
        do throws(ImageIOError) {
            if reference.hasPrefix("*") {
                guard let n = Int(reference.dropFirst()), n >= 0, n < Int(scene.mNumTextures), let texture = scene.mTextures?[n] else {
                    throw ImageIOError(.corrupt, path: nil, "no such embedded texture")
                }
                image = try embedded(texture.pointee)
            } else {
                let file = reference.hasPrefix("/") ? reference : "\(folder)/\(reference.replacingBackslashes)"
                image = try ImageFile.read(file, limits: Texture.decodeLimits)
            }
        } catch {
            throw fail("\(part): \(error.description)")
        }
        let texture = Texture(image, encoding: encoding)
        cache[key] = texture
        return texture
    }

    private func embedded(_ t: aiTexture) throws(ImageIOError) -> Image {
        guard let data = t.pcData else { throw ImageIOError(.corrupt, path: nil, "embedded texture without data") }
        if t.mHeight == 0 {
            // Compressed (PNG, JPEG): mWidth is its size in bytes.
            let bytes = UnsafeRawBufferPointer(start: data, count: Int(t.mWidth))
            return try ImageFile.decode(Array(bytes))
        }
        let (w, h) = (Int(t.mWidth), Int(t.mHeight))
        guard w <= 16_384, h <= 16_384, w * h <= 8192 * 8192 else {
            throw ImageIOError(.tooLarge, path: nil, "embedded texture of \(w)×\(h)")
        }
        var rgba = [UInt8](repeating: 0, count: w * h * 4)
        for i in 0..<(w * h) {
            let texel = data[i]
            (rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2], rgba[i * 4 + 3]) = (texel.r, texel.g, texel.b, texel.a)
        }
        return Image(width: w, height: h, layout: .rgba, pixels: .eight(rgba))
    }

    private func name(_ s: aiString) -> String {
        withUnsafeBytes(of: s.data) { String(decoding: $0.prefix(min(Int(s.length), $0.count)), as: UTF8.self) }
    }
}

extension String {
    /// Windows path separators (OBJ files often carry them) as slashes.
    fileprivate var replacingBackslashes: String { split(separator: "\\", omittingEmptySubsequences: false).joined(separator: "/") }
}

/// An affine transform: a 3 × 3 matrix (rows) and a translation.
struct Affine: Sendable {
    var rows: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>)
    var translation: SIMD3<Float>

    static let identity = Affine(rows: (SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)), translation: .zero)

    init(rows: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>), translation: SIMD3<Float>) {
        self.rows = rows
        self.translation = translation
    }

    /// Assimp's row-major 4 × 4 (the last row is 0 0 0 1 for the transforms nodes carry).
    init(_ m: aiMatrix4x4) {
        rows = (SIMD3(m.a1, m.a2, m.a3), SIMD3(m.b1, m.b2, m.b3), SIMD3(m.c1, m.c2, m.c3))
        translation = SIMD3(m.a4, m.b4, m.c4)
    }

    /// Turn by `yaw` radians about y, scale by `scale`, then move by `offset`.
    static func placing(at offset: SIMD3<Float>, yaw: Float, scale: Float) -> Affine {
        let (c, s) = (cosf(yaw) * scale, sinf(yaw) * scale)
        return Affine(rows: (SIMD3(c, 0, s), SIMD3(0, scale, 0), SIMD3(-s, 0, c)), translation: offset)
    }

    var isFinite: Bool {
        [rows.0, rows.1, rows.2, translation].allSatisfy { $0.x.isFinite && $0.y.isFinite && $0.z.isFinite }
    }

    @inline(__always) func vector(_ v: SIMD3<Float>) -> SIMD3<Float> {
        SIMD3((rows.0 * v).sum(), (rows.1 * v).sum(), (rows.2 * v).sum())
    }

    @inline(__always) func point(_ p: SIMD3<Float>) -> SIMD3<Float> { vector(p) + translation }

    static func * (a: Affine, b: Affine) -> Affine {
        let columns = (
            SIMD3(b.rows.0.x, b.rows.1.x, b.rows.2.x), SIMD3(b.rows.0.y, b.rows.1.y, b.rows.2.y), SIMD3(b.rows.0.z, b.rows.1.z, b.rows.2.z)
        )
        func row(_ r: SIMD3<Float>) -> SIMD3<Float> { SIMD3((r * columns.0).sum(), (r * columns.1).sum(), (r * columns.2).sum()) }
        return Affine(rows: (row(a.rows.0), row(a.rows.1), row(a.rows.2)), translation: a.point(b.translation))
    }

    /// The inverse transpose of the 3 × 3 part, for normals (the cofactor matrix: same direction).
    var normalMatrix: Affine {
        let (r0, r1, r2) = rows
        let determinant = (r0 * cross(r1, r2)).sum()
        let sign: Float = determinant < 0 ? -1 : 1
        return Affine(rows: (cross(r1, r2) * sign, cross(r2, r0) * sign, cross(r0, r1) * sign), translation: .zero)
    }
}
