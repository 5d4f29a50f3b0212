//! Where ledger rows go: the `Sink` a sheet writer writes to (an Excel workbook or CSV files),
//! and the pipe that carries the rows read from the database to the thread that formats and
//! writes the file, so reading and writing overlap.

use rust_xlsxwriter::XlsxError;

use super::SheetCount;
use super::sheet::{Cell, Sheet};
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;

pub(super) fn write_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::at(
        ErrorCode::ExportWriteFailed,
        "out",
        format!("the file could not be written: {e}"),
    )
}

impl From<XlsxError> for ApiError {
    fn from(e: XlsxError) -> Self {
        write_error(e)
    }
}

/// Where ledger rows go: an Excel workbook or CSV files.
pub(super) trait Sink {
    fn sheet(&mut self, sheet: &'static Sheet) -> ApiResult<()>;
    fn row(&mut self, cells: &[Cell]) -> ApiResult<()>;
    /// A row handed over (a pipe sends it on without copying).
    fn row_owned(&mut self, cells: Vec<Cell>) -> ApiResult<()> {
        self.row(&cells)
    }
    /// Close everything; the data rows of each sheet.
    fn finish(self: Box<Self>) -> ApiResult<Vec<SheetCount>>;
}

/// Rows are sent to the writer thread in batches of this many.
pub(super) const BATCH: usize = 512;

pub(super) enum Msg {
    Sheet(&'static Sheet),
    Row(Vec<Cell>),
}

/// The reading side: a [`Sink`] that batches rows into a channel.
pub(super) struct Pipe {
    pub(super) tx: Option<std::sync::mpsc::SyncSender<Vec<Msg>>>,
    pub(super) batch: Vec<Msg>,
}

impl Pipe {
    fn send(&mut self, m: Msg) -> ApiResult<()> {
        self.batch.push(m);
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    pub(super) fn flush(&mut self) -> ApiResult<()> {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        match &self.tx {
            // A closed channel means the writer failed; its error is reported when joined.
            Some(tx) => tx
                .send(batch)
                .map_err(|_| write_error("the file writer stopped")),
            None => Ok(()),
        }
    }
}

impl Sink for Pipe {
    fn sheet(&mut self, sheet: &'static Sheet) -> ApiResult<()> {
        self.send(Msg::Sheet(sheet))
    }
    fn row(&mut self, cells: &[Cell]) -> ApiResult<()> {
        self.send(Msg::Row(cells.to_vec()))
    }
    fn row_owned(&mut self, cells: Vec<Cell>) -> ApiResult<()> {
        self.send(Msg::Row(cells))
    }
    fn finish(self: Box<Self>) -> ApiResult<Vec<SheetCount>> {
        Ok(Vec::new())
    }
}

/// The writing side: everything received goes to the real sink, which is then finished.
pub(super) fn write_all(
    mut sink: Box<dyn Sink + Send>,
    rx: std::sync::mpsc::Receiver<Vec<Msg>>,
) -> ApiResult<Vec<SheetCount>> {
    for batch in rx {
        for m in batch {
            match m {
                Msg::Sheet(s) => sink.sheet(s)?,
                Msg::Row(cells) => sink.row(&cells)?,
            }
        }
    }
    sink.finish()
}
