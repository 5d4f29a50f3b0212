//! The Excel writer: one constant-memory worksheet per sheet (continued on another past
//! Excel's row limit), a bold frozen header row, column widths, an autofilter, dates and money
//! as numbers with their formats.

use std::path::PathBuf;

use rust_xlsxwriter::{Format, FormatAlign, Workbook};

use super::sheet::{Cell, Sheet};
use super::sink::{Sink, write_error};
use super::{SheetCount, XLSX_MAX_ROWS};
use crate::error::ApiResult;

pub(super) struct XlsxSink {
    workbook: Workbook,
    file: Option<std::fs::File>,
    header: Format,
    date: Format,
    money: Format,
    current: Option<(&'static Sheet, usize, u32)>,
    counts: Vec<SheetCount>,
    continuation: u32,
}

impl XlsxSink {
    pub(super) fn new(path: PathBuf) -> ApiResult<XlsxSink> {
        // Created now, new and owner-only: a file or link planted at the `.part` name is refused.
        let file = crate::private_file::replace_leftover(&path).map_err(write_error)?;
        let mut workbook = Workbook::new();
        // Fast compression: a 100,000-household ledger then zips in a fraction of the time
        // for a somewhat larger file.
        workbook.set_zip_compression_level(1);
        // Constant-memory sheets spill rows to temporary files: keep them beside the export,
        // not in a shared temporary folder.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            workbook.set_tempdir(dir)?;
        }
        Ok(XlsxSink {
            workbook,
            file: Some(file),
            header: Format::new()
                .set_bold()
                .set_background_color("#E8EEF7")
                .set_align(FormatAlign::Center),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            money: Format::new().set_num_format("#,##0.00"),
            current: None,
            counts: Vec::new(),
            continuation: 0,
        })
    }

    fn close_sheet(&mut self) -> ApiResult<()> {
        if let Some((sheet, index, rows)) = self.current.take() {
            let ws = self.workbook.worksheet_from_index(index)?;
            let last_col = (sheet.columns.len() - 1) as u16;
            ws.autofilter(0, 0, rows.max(1), last_col)?;
        }
        Ok(())
    }

    fn open_sheet(&mut self, sheet: &'static Sheet, name: String) -> ApiResult<()> {
        self.close_sheet()?;
        let index = self.counts.len();
        let ws = self.workbook.add_worksheet_with_constant_memory()?;
        ws.set_name(&name)?;
        for (c, column) in sheet.columns.iter().enumerate() {
            ws.set_column_width(c as u16, column.width)?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (c, column) in sheet.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, column.header, &self.header)?;
        }
        self.current = Some((sheet, index, 0));
        self.counts.push(SheetCount { name, rows: 0 });
        Ok(())
    }
}

impl Sink for XlsxSink {
    fn sheet(&mut self, sheet: &'static Sheet) -> ApiResult<()> {
        self.continuation = 1;
        self.open_sheet(sheet, sheet.name.to_string())
    }

    fn row(&mut self, cells: &[Cell]) -> ApiResult<()> {
        let Some((sheet, _, rows)) = self.current else {
            return Err(write_error("a row before its sheet"));
        };
        if rows >= XLSX_MAX_ROWS {
            self.continuation += 1;
            let name = format!("{}（{}）", sheet.name, self.continuation);
            self.open_sheet(sheet, name)?;
        }
        let Some((_, index, rows)) = self.current.as_mut() else {
            return Err(write_error("a row before its sheet"));
        };
        *rows += 1;
        let r = *rows;
        let index = *index;
        if let Some(last) = self.counts.last_mut() {
            last.rows += 1;
        }
        let ws = self.workbook.worksheet_from_index(index)?;
        for (c, cell) in cells.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                Cell::Int(n) => {
                    ws.write_number(r, c, *n as f64)?;
                }
                Cell::Money(f) => {
                    ws.write_number_with_format(r, c, *f as f64 / 100.0, &self.money)?;
                }
                Cell::Date(d) => {
                    ws.write_datetime_with_format(r, c, d, &self.date)?;
                }
                Cell::Empty => {}
            }
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> ApiResult<Vec<SheetCount>> {
        self.close_sheet()?;
        let file = self
            .file
            .take()
            .ok_or_else(|| write_error("the workbook was saved twice"))?;
        self.workbook
            .save_to_writer(std::io::BufWriter::new(file))?;
        Ok(self.counts)
    }
}
