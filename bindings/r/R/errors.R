# Errors as R conditions: class c("bowlby_<kind>", "bowlby_error", "error", "condition"), the
# library's message, and for an invalid answer the row (its row name) and the column.

bowlby_condition <- function(kind, message, call = NULL, ...) {
  structure(
    class = c(paste0("bowlby_", kind), "bowlby_error", "error", "condition"),
    list(message = message, call = call, ...)
  )
}

fail <- function(kind, message, call = sys.call(-1)) {
  stop(bowlby_condition(kind, message, call))
}

# The value of a C++ call, or its failure signalled. `rows` (a function of the row number)
# and `columns` name the matrix's rows and item columns (in the order the library saw them)
# for an invalid answer.
checked <- function(res, rows = NULL, columns = NULL, call = sys.call(-1)) {
  if (!inherits(res, "bowlby_failure")) return(res)
  if (res$kind != "invalid_response") stop(bowlby_condition(res$kind, res$message, call))
  row <- if (is.null(rows)) as.character(res$row) else rows(res$row)
  column <- if (is.null(columns)) paste("item", res$item) else columns[res$item]
  message <- sprintf("row %s (row %d of the data), column %s: value %s %s",
                     encodeString(row, quote = "'"), as.integer(res$row), encodeString(column, quote = "'"),
                     format(res$value, digits = 15), res$reason)
  stop(bowlby_condition("invalid_response", message, call, row = row, row_number = res$row,
                        column = column, value = res$value, reason = res$reason))
}
