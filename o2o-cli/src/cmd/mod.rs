//! One module per subcommand.

pub mod attribute;
pub mod audience;
pub mod consent;
pub mod demo;
pub mod design;
pub mod did;
pub mod explain;
pub mod export;
pub mod forget;
pub mod hash;
pub mod ingest;
pub mod input;
pub mod keygen;
pub mod loyalty;
pub mod matching;
pub mod normalize;
pub mod power;
pub(crate) mod profiles;
pub mod report;
pub mod resolve;
pub mod segment;
pub mod simulate;
pub mod snapshot;
pub mod survey;
pub mod uplift;
pub mod voucher;

/// Why a command failed. Every variant names what and where.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The input or the flags are unusable.
    #[error("{0}")]
    Usage(String),
    /// The core refused the input.
    #[error("{0}")]
    Core(String),
    /// The event store could not be opened, read or written.
    #[error(transparent)]
    Store(#[from] o2o_core::store::StoreError),
    /// An export could not be read under its map.
    #[error(transparent)]
    Ingest(#[from] o2o_core::ingest::IngestError),
}

impl CliError {
    /// Exit status: 2 for usage errors, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            _ => 1,
        }
    }

    /// Wrap an I/O error with the path it concerns.
    pub fn io(path: impl AsRef<std::path::Path>) -> impl FnOnce(std::io::Error) -> CliError {
        let path = path.as_ref().display().to_string();
        move |source| CliError::Io { path, source }
    }
}
