# From R's arguments to what the C++ side reads: keys, item columns, options.

is_questionnaire <- function(x) inherits(x, "bowlby_questionnaire")

# A built-in id or a questionnaire() as the C++ side takes it.
key_spec <- function(instrument, call = sys.call(-1)) {
  if (is.character(instrument) && length(instrument) == 1 && !is.na(instrument)) return(instrument)
  if (is_questionnaire(instrument)) return(unclass(instrument))
  fail("option_error", "instrument is a built-in id (see instruments()) or a questionnaire()", call)
}

describe <- function(spec, call = sys.call(-1)) checked(.bw_describe(spec), call = call)

# A key file's path (one string ending in .json) read as read_key() reads it; any other
# instrument as it is.
instrument_of <- function(instrument, call = sys.call(-1)) {
  if (is.character(instrument) && length(instrument) == 1 && !is.na(instrument) &&
      grepl("\\.json$", instrument, ignore.case = TRUE))
    return(key_file(instrument, call))
  instrument
}

key_file <- function(path, call) {
  d <- checked(.bw_read_key(path.expand(path)), call = call)
  d$scores <- NULL
  structure(d, class = "bowlby_questionnaire")
}

# The call's missing codes, then those of a key file's questionnaire not among them (as
# `bowlby score --key` adds --missing-code to the key's).
key_missing <- function(instrument, missing, call = sys.call(-1)) {
  codes <- missing_codes(missing, call)
  if (is_questionnaire(instrument) && length(instrument$missing_codes))
    codes <- c(codes, setdiff(as.double(instrument$missing_codes), codes))
  codes
}

# The call's min_answered, else a key file's, else 0.5 (the half rule).
key_min_answered <- function(instrument, min_answered) {
  if (!is.null(min_answered)) return(min_answered)
  if (is_questionnaire(instrument) && !is.null(instrument$min_answered)) return(instrument$min_answered)
  0.5
}

# The item columns of `data` (a data.frame, tibble or matrix) in the instrument's order, as
# list(x = a double matrix read in place or a list of numeric columns, names, rows: a function
# giving the name of row i, so that a million automatic row names are not made for nothing).
# `items`: NULL (the columns named by the key's `item_names` when data has them all, as the
# bowlby tool finds them; otherwise every column, and there must be n_items of them), column
# names and "FIRST:LAST" spans (the tool's --items), or positions.
answers <- function(data, n_items, items = NULL, call = sys.call(-1), item_names = character()) {
  if (!is.data.frame(data) && !is.matrix(data))
    fail("type_error", "data is a data.frame, a tibble or a matrix", call)
  header <- colnames(data)
  if (is.null(header)) header <- paste0("V", seq_len(ncol(data)))
  cols <- if (is.null(items) && length(item_names) && all(item_names %in% header)) match(item_names, header)
          else item_positions(items, header, call)
  if (!is.null(n_items) && length(cols) != n_items)
    fail("shape_error", sprintf("the instrument has %d items; %s %d columns", n_items,
                                if (is.null(items)) "data has" else "items names", length(cols)), call)
  rows <- function(i) {
    names <- rownames(data)
    if (is.null(names)) as.character(i) else names[i]
  }
  list(x = item_matrix(data, cols, header, call), names = header[cols], rows = rows)
}

item_positions <- function(items, header, call) {
  if (is.null(items)) return(seq_along(header))
  if (is.numeric(items)) {
    bad <- items[is.na(items) | items < 1 | items > length(header) | items != round(items)]
    if (length(bad)) fail("option_error", sprintf("items names column %s; data has %d columns",
                                                  format(bad[1]), length(header)), call)
    return(as.integer(items))
  }
  if (!is.character(items)) fail("option_error", "items takes column names, spans such as \"Q1:Q36\", or positions", call)
  unlist(lapply(items, function(spec) checked(.bw_resolve_columns(spec, header, "items"), call = call)))
}

# A double matrix is read in place when it holds exactly the item columns in order; otherwise
# the columns go across as a list (the C++ side copies them once).
item_matrix <- function(data, cols, header, call) {
  if (is.matrix(data)) {
    if (!is.numeric(data) && !is.logical(data)) fail("type_error", "the answers must be numbers", call)
    if (is.double(data) && identical(cols, seq_len(ncol(data)))) return(data)
    if (is.double(data)) return(data[, cols, drop = FALSE])
    return(data[, cols, drop = FALSE])
  }
  x <- unclass(data)[cols]
  for (i in seq_along(x)) {
    v <- x[[i]]
    if (is.factor(v) || !(is.numeric(v) || is.logical(v)))
      fail("type_error", sprintf("column %s holds %s, not numbers", encodeString(header[cols[i]], quote = "'"),
                                 if (is.factor(v)) "a factor" else class(v)[1]), call)
  }
  names(x) <- NULL
  x
}

scale_pair <- function(scale, call) {
  if (is.null(scale)) return(NULL)
  if (!is.numeric(scale) || length(scale) != 2 || any(!is.finite(scale)) || scale[1] >= scale[2])
    fail("option_error", "scale takes c(min, max) with finite min < max", call)
  as.double(scale)
}

whole <- function(x, name, call) {
  if (!is.numeric(x) || length(x) != 1 || is.na(x) || x < 0 || x != round(x) || x > .Machine$integer.max)
    fail("option_error", sprintf("%s takes a whole number from 0", name), call)
  as.integer(x)
}

missing_codes <- function(missing, call) {
  if (is.null(missing)) return(numeric())
  if (!is.numeric(missing)) fail("option_error", "missing takes numbers, such as 0 or -99", call)
  as.double(missing)
}
