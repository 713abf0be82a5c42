//! A Parquet export's rows as JSON objects, so that a map reads them exactly as it reads NDJSON
//! (dotted column names reach into structs; lists stay lists). Exports are small next to the
//! store, and one path for both formats is one behaviour to test.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{Map, Value};

/// The rows of the Parquet file `file`, as JSON objects. An error names what could not be read.
pub fn parquet_rows(
    file: std::fs::File,
) -> Result<Box<dyn Iterator<Item = Result<Value, String>>>, super::StoreError> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)?
        .with_batch_size(4096)
        .build()?;
    Ok(Box::new(reader.flat_map(|batch| match batch {
        Ok(b) => {
            let rows: Vec<Result<Value, String>> = (0..b.num_rows()).map(|i| row(&b, i)).collect();
            rows.into_iter()
        }
        Err(e) => vec![Err(e.to_string())].into_iter(),
    })))
}

fn row(b: &RecordBatch, i: usize) -> Result<Value, String> {
    let mut m = Map::new();
    for (f, col) in b.schema().fields().iter().zip(b.columns()) {
        m.insert(f.name().clone(), value(col.as_ref(), i)?);
    }
    Ok(Value::Object(m))
}

fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// The JSON value of `a[i]`. Times become Unix seconds with their unit's fraction kept as
/// digits of the original integer (a map gives the unit), so nothing is rounded here.
fn value(a: &dyn Array, i: usize) -> Result<Value, String> {
    if a.is_null(i) {
        return Ok(Value::Null);
    }
    Ok(match a.data_type() {
        DataType::Boolean => Value::Bool(a.as_boolean().value(i)),
        DataType::Int8 => a.as_primitive::<Int8Type>().value(i).into(),
        DataType::Int16 => a.as_primitive::<Int16Type>().value(i).into(),
        DataType::Int32 => a.as_primitive::<Int32Type>().value(i).into(),
        DataType::Int64 => a.as_primitive::<Int64Type>().value(i).into(),
        DataType::UInt8 => a.as_primitive::<UInt8Type>().value(i).into(),
        DataType::UInt16 => a.as_primitive::<UInt16Type>().value(i).into(),
        DataType::UInt32 => a.as_primitive::<UInt32Type>().value(i).into(),
        DataType::UInt64 => a.as_primitive::<UInt64Type>().value(i).into(),
        DataType::Float32 => num(f64::from(a.as_primitive::<Float32Type>().value(i))),
        DataType::Float64 => num(a.as_primitive::<Float64Type>().value(i)),
        DataType::Utf8 => Value::String(a.as_string::<i32>().value(i).to_owned()),
        DataType::LargeUtf8 => Value::String(a.as_string::<i64>().value(i).to_owned()),
        DataType::Utf8View => Value::String(a.as_string_view().value(i).to_owned()),
        DataType::Binary => {
            Value::String(String::from_utf8_lossy(a.as_binary::<i32>().value(i)).into_owned())
        }
        DataType::Date32 => {
            let days = a.as_primitive::<Date32Type>().value(i);
            let d = jiff::civil::date(1970, 1, 1)
                .checked_add(jiff::Span::new().days(i64::from(days)))
                .map_err(|e| e.to_string())?;
            Value::String(d.to_string())
        }
        DataType::Timestamp(unit, tz) => {
            let v = match unit {
                TimeUnit::Second => a.as_primitive::<TimestampSecondType>().value(i),
                TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().value(i),
                TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().value(i),
                TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().value(i),
            };
            let per = match unit {
                TimeUnit::Second => 1,
                TimeUnit::Millisecond => 1_000,
                TimeUnit::Microsecond => 1_000_000,
                TimeUnit::Nanosecond => 1_000_000_000,
            };
            let secs = v.div_euclid(per);
            let t = jiff::Timestamp::from_second(secs).map_err(|e| e.to_string())?;
            // With a zone the instant is exact: RFC 3339 in UTC. Without one, Parquet's
            // timestamp is a local wall time, written without an offset so the map's zone applies.
            if tz.is_some() {
                Value::String(t.to_string())
            } else {
                Value::String(jiff::tz::TimeZone::UTC.to_datetime(t).to_string())
            }
        }
        DataType::Decimal128(_, scale) => {
            let v = a.as_primitive::<Decimal128Type>().value(i);
            Value::String(decimal(v, *scale))
        }
        DataType::List(_) => {
            let l = a.as_list::<i32>().value(i);
            Value::Array(
                (0..l.len())
                    .map(|j| value(l.as_ref(), j))
                    .collect::<Result<_, _>>()?,
            )
        }
        DataType::LargeList(_) => {
            let l = a.as_list::<i64>().value(i);
            Value::Array(
                (0..l.len())
                    .map(|j| value(l.as_ref(), j))
                    .collect::<Result<_, _>>()?,
            )
        }
        DataType::Struct(fields) => {
            let s = a.as_struct();
            let mut m = Map::new();
            for (f, c) in fields.iter().zip(s.columns()) {
                m.insert(f.name().clone(), value(c.as_ref(), i)?);
            }
            Value::Object(m)
        }
        DataType::Dictionary(_, _) => {
            let d = a.as_any_dictionary();
            let key = d.normalized_keys()[i];
            value(d.values().as_ref(), key)?
        }
        other => return Err(format!("columns of type {other} are not read")),
    })
}

fn decimal(v: i128, scale: i8) -> String {
    if scale <= 0 {
        return (v * 10i128.pow(u32::from(scale.unsigned_abs()))).to_string();
    }
    let s = v.unsigned_abs().to_string();
    let scale = usize::from(scale.unsigned_abs());
    let padded = format!("{s:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{}{int}.{frac}", if v < 0 { "-" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn decimals_keep_their_digits() {
        assert_eq!(decimal(125_050, 2), "1250.50");
        assert_eq!(decimal(-5, 2), "-0.05");
        assert_eq!(decimal(12, 0), "12");
        assert_eq!(decimal(12, -2), "1200");
    }
}
