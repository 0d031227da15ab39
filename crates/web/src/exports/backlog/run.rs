//! One export from the database to a writer, a chunk of items at a time: the page streams
//! each chunk to the browser as it is written, the command line writes it to a file.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use escapement_core::Pipeline;
use escapement_core::metrics::definition::SeverityWeights;
use escapement_storage::backlog::{BacklogFilter, ExportCursor, export_cursor};
use escapement_storage::sea_orm::DatabaseConnection;

use super::{Format, Options, Writer};

/// What to export and how.
#[derive(Debug, Clone)]
pub struct ExportSpec {
    pub filter: BacklogFilter,
    pub format: Format,
    pub options: Options,
    /// At most this many items, highest score first.
    pub limit: Option<usize>,
    /// The instance's public URL for the links back (paths without it).
    pub base_url: String,
}

/// An export under way.
pub struct Export<W: Write> {
    cursor: ExportCursor,
    writer: Writer<W>,
    pipeline: Pipeline,
    base_url: String,
}

impl<W: Write> Export<W> {
    /// Orders the items (one read of every matching action's score) and writes the head.
    pub async fn start(
        db: &DatabaseConnection,
        spec: &ExportSpec,
        (weights, pipeline): (&SeverityWeights, &Pipeline),
        out: W,
    ) -> anyhow::Result<Export<W>> {
        let today = spec.options.generated_at.date_naive();
        let cursor = export_cursor(
            db,
            &spec.filter,
            weights,
            today,
            spec.format.grouped_by_mechanism(),
            spec.limit,
        )
        .await?;
        Ok(Export {
            cursor,
            writer: Writer::new(spec.format, spec.options.clone(), out)?,
            pipeline: pipeline.clone(),
            base_url: spec.base_url.clone(),
        })
    }

    /// How many items the export orders (linked ones it skips included).
    #[must_use]
    pub fn len(&self) -> usize {
        self.cursor.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cursor.is_empty()
    }

    /// Writes the next chunk of items; `false` when there was none left.
    pub async fn step(&mut self, db: &DatabaseConnection) -> anyhow::Result<bool> {
        let Some(items) = self
            .cursor
            .next_chunk(db, &self.pipeline, &self.base_url)
            .await?
        else {
            return Ok(false);
        };
        for item in &items {
            self.writer.item(item)?;
        }
        Ok(true)
    }

    /// Writes the end; returns the writer's target and (written, skipped).
    pub fn finish(self) -> io::Result<(W, u64, u64)> {
        let (written, skipped) = (self.writer.written(), self.writer.skipped());
        Ok((self.writer.finish()?, written, skipped))
    }
}

/// A writer into a buffer that the streaming side drains after every chunk.
#[derive(Debug, Clone, Default)]
pub struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    /// What was written since the last take.
    pub fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default()
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("the export buffer was poisoned"))?
            .extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
