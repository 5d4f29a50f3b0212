//! The CSV writer: one UTF-8 file per sheet, with a byte-order mark so that Excel reads it as
//! UTF-8, and text that Excel would run as a formula written as text.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::SheetCount;
use super::sheet::{Cell, Sheet};
use super::sink::{Sink, write_error};
use crate::error::ApiResult;

pub(super) struct CsvSink {
    pub(super) paths: Vec<PathBuf>,
    pub(super) writer: Option<csv::Writer<BufWriter<File>>>,
    pub(super) counts: Vec<SheetCount>,
}

impl Sink for CsvSink {
    fn sheet(&mut self, sheet: &'static Sheet) -> ApiResult<()> {
        if let Some(mut w) = self.writer.take() {
            w.flush().map_err(write_error)?;
        }
        let path = self
            .paths
            .get(self.counts.len())
            .ok_or_else(|| write_error("more sheets than files"))?;
        let mut file =
            BufWriter::new(crate::private_file::replace_leftover(path).map_err(write_error)?);
        // The byte-order mark tells Excel the file is UTF-8.
        file.write_all("\u{feff}".as_bytes()).map_err(write_error)?;
        let mut w = csv::Writer::from_writer(file);
        w.write_record(sheet.columns.iter().map(|c| c.header))
            .map_err(write_error)?;
        self.writer = Some(w);
        self.counts.push(SheetCount {
            name: sheet.name.to_string(),
            rows: 0,
        });
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> ApiResult<()> {
        let w = self
            .writer
            .as_mut()
            .ok_or_else(|| write_error("a row before its sheet"))?;
        w.write_record(cells.iter().map(Cell::csv))
            .map_err(write_error)?;
        if let Some(last) = self.counts.last_mut() {
            last.rows += 1;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> ApiResult<Vec<SheetCount>> {
        if let Some(w) = self.writer.take() {
            let file = w.into_inner().map_err(|e| write_error(e.error()))?;
            let file = file.into_inner().map_err(|e| write_error(e.error()))?;
            file.sync_all().map_err(write_error)?;
        }
        Ok(self.counts)
    }
}
