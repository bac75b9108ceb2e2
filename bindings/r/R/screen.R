# screen(): careless-responding indices of each row, as `bowlby screen` writes them. The
# indices, the flags and their thresholds come from the library (bowlby/screen.hpp).

# flags = c(irv = 0.5, longstring = NA) or list(irv = 0.5, longstring = "off"): the names and
# thresholds the library's flag settings take (NA: off).
flag_settings <- function(flags, call) {
  if (is.null(flags)) return(list(names = character(), thresholds = numeric()))
  nm <- names(flags)
  if (!(is.list(flags) || is.numeric(flags) || is.logical(flags)) || is.null(nm) || any(!nzchar(nm)))
    fail("option_error", "flags takes thresholds named by flag, such as c(irv = 0.5) or list(longstring = \"off\")", call)
  thresholds <- vapply(seq_along(flags), function(i) {
    v <- flags[[i]]
    if (is.null(v) || (length(v) == 1 && (is.na(v) || identical(v, "off")))) return(NA_real_)
    if (is.numeric(v) && length(v) == 1 && is.finite(v)) return(as.double(v))
    fail("option_error", sprintf("flags[[\"%s\"]] takes a number, or NA or \"off\" to turn the flag off; got %s",
                                 nm[i], paste(deparse(v), collapse = " ")), call)
  }, 0)
  list(names = nm, thresholds = thresholds)
}

# The presented order as 0-based item indices: the item columns named (names and spans) in
# the order they were shown, each once.
presented_positions <- function(presented_order, data, ans, call) {
  if (is.null(presented_order)) return(integer())
  header <- colnames(data)
  if (is.null(header)) header <- paste0("V", seq_len(ncol(data)))
  pos <- item_positions(presented_order, header, call)
  item <- match(header[pos], ans$names)
  bad <- which(is.na(item))
  if (length(bad)) fail("option_error", sprintf("presented_order names '%s', which is not an item column", header[pos[bad[1]]]), call)
  twice <- which(duplicated(item))
  if (length(twice)) fail("option_error", sprintf("presented_order names '%s' twice", header[pos[twice[1]]]), call)
  if (length(item) != length(ans$names))
    fail("option_error", sprintf("presented_order names %d item columns; the %d item columns must all be named, once each",
                                 length(item), length(ans$names)), call)
  as.integer(item - 1L)
}

# Total seconds per row from a column of data (its name) or a vector: numbers 0 or more, NA
# for none.
durations_of <- function(duration, data, ans, call) {
  if (is.null(duration)) return(NULL)
  cells <- if (is.character(duration) && length(duration) == 1) data_column(data, duration, "duration", call) else duration
  if (is.factor(cells)) cells <- as.character(cells)
  d <- suppressWarnings(as.double(cells))
  bad <- which(!(is.na(cells) | (!is.na(d) & d >= 0)))
  if (length(bad)) {
    row <- ans$rows(bad[1])
    fail("option_error", sprintf("duration: row %s has %s, not a duration in seconds (a number, 0 or more)",
                                 encodeString(row, quote = "'"), encodeString(as.character(cells[bad[1]]), quote = "'")),
         call)
  }
  if (length(d) != nrow(data)) fail("option_error", sprintf("duration needs one value per row (%d); got %d", nrow(data), length(d)), call)
  d
}

#' Careless-responding indices of each row and the flags they raise (docs/screening.md); see
#' ?screen.
screen <- function(data, instrument, items = NULL, scale = NULL, missing = NULL, on_invalid = c("error", "missing"),
                   presented_order = NULL, duration = NULL, one_pass = FALSE, syn_r = 0.60, ant_r = -0.60,
                   flags = NULL) {
  call <- sys.call()
  on_invalid <- match.arg(on_invalid)
  if (!is.data.frame(data) && !is.matrix(data)) fail("type_error", "data is a data.frame, a tibble or a matrix", call)
  instrument <- instrument_of(instrument, call)
  missing <- key_missing(instrument, missing, call)
  spec <- key_spec(instrument, call)
  key <- describe(spec, call)
  # Without items, the key's item names, else every column but the duration column.
  if (is.null(items) && !(length(key$item_names) && all(key$item_names %in% colnames(data))) &&
      is.character(duration) && length(duration) == 1)
    items <- setdiff(colnames(data), duration)
  ans <- answers(data, key$n_items, items, call, key$item_names)
  order <- presented_positions(presented_order, data, ans, call)
  d <- durations_of(duration, data, ans, call)
  for (r in list(syn_r, ant_r))
    if (!is.numeric(r) || length(r) != 1 || !is.finite(r)) fail("option_error", "syn_r and ant_r take one number each", call)
  settings <- flag_settings(flags, call)
  out <- checked(.bw_screen(spec, ans$x, scale_pair(scale, call), missing_codes(missing, call), on_invalid, order, d,
                            isTRUE(one_pass), as.double(syn_r), as.double(ant_r), settings$names, settings$thresholds),
                 ans$rows, ans$names, call)
  frame <- out$columns
  frame$flags <- out$flags
  frame$n_flags <- out$n_flags
  frame <- structure(frame, class = "data.frame", row.names = row_names_of(data))
  attr(frame, "flags_in_force") <- data.frame(out$flags_in_force, stringsAsFactors = FALSE)
  attr(frame, "covariance_problem") <- out$covariance_problem
  frame
}
