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
    /// The input was read but yields nothing usable (every line rejected, nothing to export,
    /// a voucher refused): the message says what and where.
    #[error("{0}")]
    Unusable(String),
    /// A store holds no events.
    #[error("{dir}: the store holds no events")]
    EmptyStore {
        /// The store directory.
        dir: String,
    },
    /// An events file held no usable line.
    #[error(
        "{path}: no usable event ({rejected} lines rejected); is this an o2o NDJSON events file? (exports are read with `o2o ingest`)"
    )]
    NoUsableEvents {
        /// The file.
        path: String,
        /// Lines rejected.
        rejected: usize,
    },
    /// The core refused a file's content.
    #[error("{path}: {source}")]
    In {
        /// The file or directory.
        path: String,
        /// The core's error.
        #[source]
        source: Box<CliError>,
    },
    /// Output could not be written as JSON.
    #[error("JSON output: {0}")]
    Json(#[from] serde_json::Error),
    /// Output could not be written as CSV.
    #[error("CSV output: {0}")]
    Csv(#[from] csv::Error),
    /// The identity graph refused the rules, an observation or a snapshot.
    #[error(transparent)]
    Identity(#[from] o2o_core::identity::IdentityError),
    /// The store's people could not be resolved.
    #[error(transparent)]
    People(#[from] o2o_core::store::PeopleError),
    /// The stored resolution could not be read or written.
    #[error(transparent)]
    Resolution(#[from] o2o_core::store::resolution::ResolutionError),
    /// Record matching failed.
    #[error(transparent)]
    Matching(#[from] o2o_core::matching::MatchError),
    /// A design could not be made or read out.
    #[error(transparent)]
    Design(#[from] o2o_core::design::DesignError),
    /// A measurement could not be made.
    #[error(transparent)]
    Measure(#[from] o2o_core::measure::MeasureError),
    /// A statistical test refused its input.
    #[error(transparent)]
    Uplift(#[from] o2o_core::uplift::UpliftError),
    /// A TCF consent string could not be decoded.
    #[error(transparent)]
    Tcf(#[from] o2o_core::consent::tcf::TcfError),
    /// An export for an ad platform could not be written.
    #[error(transparent)]
    Activation(#[from] o2o_core::activation::ActivationError),
    /// The Excel workbook could not be written.
    #[error(transparent)]
    Xlsx(#[from] o2o_core::render::xlsx::XlsxRenderError),
    /// The demo pipeline stopped at a stage.
    #[error(transparent)]
    Pipeline(#[from] o2o_core::pipeline::PipelineError),
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
            CliError::In { source, .. } => source.exit_code(),
            _ => 1,
        }
    }

    /// Name the file or directory a core error concerns.
    pub fn at<E: Into<CliError>>(path: impl AsRef<std::path::Path>) -> impl FnOnce(E) -> CliError {
        let path = path.as_ref().display().to_string();
        move |e| CliError::In {
            path,
            source: Box::new(e.into()),
        }
    }

    /// A store with no events.
    pub fn empty_store(dir: impl AsRef<std::path::Path>) -> CliError {
        CliError::EmptyStore {
            dir: dir.as_ref().display().to_string(),
        }
    }

    /// Wrap an I/O error with the path it concerns.
    pub fn io(path: impl AsRef<std::path::Path>) -> impl FnOnce(std::io::Error) -> CliError {
        let path = path.as_ref().display().to_string();
        move |source| CliError::Io { path, source }
    }
}

#[cfg(test)]
mod tests {
    use super::CliError;

    #[test]
    fn a_core_error_keeps_its_path_source_and_exit_code() {
        let core = o2o_core::identity::IdentityGraph::restore(b"{not json").unwrap_err();
        let e = CliError::at::<o2o_core::identity::IdentityError>("graph.json")(core);
        let text = e.to_string();
        assert!(text.starts_with("graph.json: snapshot: "), "{text}");
        assert!(text.contains("line 1"), "{text}");
        assert!(std::error::Error::source(&e).is_some());
        assert_eq!(e.exit_code(), 1);
        let usage = CliError::at::<CliError>("x")(CliError::Usage("--flag".into()));
        assert_eq!(usage.exit_code(), 2);
    }
}
