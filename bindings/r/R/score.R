#' The built-in instruments: id, name, number of items, response scale, scores and citation.
instruments <- function() {
  i <- checked(.bw_instruments())
  data.frame(i, stringsAsFactors = FALSE)
}

#' A questionnaire defined in R, for score() and reliability(): `n_items` items answered on
#' `scale` (whole numbers only when `integral`), then subscales and derived scores added with
#' add_subscale() and add_derived(). `from` copies a built-in's key to change it.
questionnaire <- function(id, n_items = NULL, scale = c(1, 7), integral = TRUE, name = "", citation = "",
                          item_names = character(), from = NULL) {
  call <- sys.call()
  if (!is.null(from)) {
    d <- describe(from, call)
    d$scores <- NULL
    if (!missing(id)) d$id <- id
    return(structure(d, class = "bowlby_questionnaire"))
  }
  if (is.null(n_items)) fail("option_error", "questionnaire() needs n_items (or from = a built-in id)", call)
  structure(list(id = as.character(id), n_items = whole(n_items, "n_items", call),
                 scale = scale_pair(scale, call), integral = isTRUE(integral), subscales = list(),
                 derived = list(), name = as.character(name), citation = as.character(citation),
                 item_names = as.character(item_names)),
            class = "bowlby_questionnaire")
}

#' Adds a subscale: its 1-based `items`, the `reversed` ones among them, a "mean" or a "sum".
add_subscale <- function(q, name, items, reversed = integer(), aggregation = c("mean", "sum")) {
  aggregation <- match.arg(aggregation)
  q$subscales[[length(q$subscales) + 1]] <- list(name = as.character(name), items = as.integer(items),
                                                 reversed = as.integer(reversed), aggregation = aggregation)
  q
}

#' Adds a derived score: the sum of `weights` times subscales (by name) or items (by number),
#' for example add_derived(q, "balance", c(closeness = 1, worry = -1)).
add_derived <- function(q, name, weights, kind = "subscale") {
  subs <- vapply(q$subscales, `[[`, "", "name")
  kind <- rep_len(kind, length(weights))
  index <- integer(length(weights))
  for (t in seq_along(weights)) {
    if (kind[t] == "subscale") {
      index[t] <- match(names(weights)[t], subs) - 1L
      if (is.na(index[t]))
        fail("option_error", sprintf("derived score '%s' names subscale '%s', which %s does not have", name,
                                     names(weights)[t], q$id))
    } else {
      index[t] <- as.integer(names(weights)[t])
    }
  }
  q$derived[[length(q$derived) + 1]] <- list(name = as.character(name), kind = kind, index = index,
                                             weight = as.double(weights))
  q
}

#' Reads a key file (docs/key-files.md) with the bowlby tool's parser: a questionnaire()
#' carrying the file's missing codes and min_answered, which score() and the others use.
read_key <- function(path) {
  call <- sys.call()
  if (!is.character(path) || length(path) != 1 || is.na(path))
    fail("option_error", "read_key() takes the path of a key file (one string)", call)
  key_file(path, call)
}

print.bowlby_questionnaire <- function(x, ...) {
  subs <- vapply(x$subscales, `[[`, "", "name")
  cat(sprintf("bowlby questionnaire '%s': %d items on %g-%g; subscales: %s\n", x$id, x$n_items, x$scale[1],
              x$scale[2], if (length(subs)) paste(subs, collapse = ", ") else "(none)"))
  invisible(x)
}

#' Scores questionnaire answers with the library's rule (keying, validity, proration).
#'
#' data: a data.frame, tibble or matrix (double or integer); NA is missing. items: the item
#' columns in the instrument's order (names, spans such as "Q1:Q36", or positions); without
#' it, data must have exactly the instrument's items. scale: c(min, max) the data were
#' collected on when not the instrument's own. missing: values that mean "no answer".
#' instrument: a built-in id, a questionnaire(), or a key file's path (".json"), whose missing
#' codes are added to `missing` and whose min_answered applies unless min_answered is given.
#' Returns a data.frame with data's row names: per score `<score>` and `<score>_n` (items
#' answered), and `status` (a factor: complete, prorated, insufficient).
score <- function(data, instrument, items = NULL, scale = NULL, missing = NULL, min_answered = NULL,
                  on_invalid = c("error", "missing"), threads = 0) {
  call <- sys.call()
  on_invalid <- match.arg(on_invalid)
  instrument <- instrument_of(instrument, call)
  missing <- key_missing(instrument, missing, call)
  min_answered <- key_min_answered(instrument, min_answered)
  spec <- key_spec(instrument, call)
  key <- describe(spec, call)
  ans <- answers(data, key$n_items, items, call, key$item_names)
  if (!is.numeric(min_answered) || length(min_answered) != 1)
    fail("option_error", "min_answered takes a fraction in [0, 1]", call)
  out <- checked(.bw_score(spec, ans$x, scale_pair(scale, call), missing_codes(missing, call),
                           as.double(min_answered), on_invalid, whole(threads, "threads", call)),
                 ans$rows, ans$names, call)
  frame <- list()
  for (s in seq_along(out$names)) {
    frame[[out$names[s]]] <- out$values[, s]
    frame[[paste0(out$names[s], "_n")]] <- out$answered[, s]
  }
  frame$status <- out$status
  frame <- structure(frame, class = "data.frame", row.names = row_names_of(data))
  attr(frame, "instrument") <- instrument  # a questionnaire() keeps its class, for classify()
  attr(frame, "scale") <- scale
  attr(frame, "invalid_cells") <- out$invalid_cells
  frame
}

# data's own row names (automatic ones stay automatic).
row_names_of <- function(data) {
  if (is.data.frame(data)) return(.row_names_info(data, type = 0L))
  if (!is.null(rownames(data))) return(rownames(data))
  .set_row_names(nrow(data))
}
