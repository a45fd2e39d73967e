/// The largest values a dataset file may hold, checked as the file is read: a hostile or broken
/// file is an error naming the field, never an allocation or a parse that runs for minutes (a
/// 100 MB `file_name` took 35 s and printed 100 MB to the terminal).
public enum DatasetLimits {
    /// A file name or relative path, in bytes (Linux's `PATH_MAX`).
    public static let fileName = 4096
    /// A class, category or supercategory name, in bytes.
    public static let className = 1024
    /// An attribute's key or value, in bytes.
    public static let attribute = 65_536
    /// A workspace file, recipe, `data.yaml` or VOC annotation, in bytes.
    public static let configurationFile = 16 << 20
}
