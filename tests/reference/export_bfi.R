# Writes psychTools' bfi items A1-A5, C1-C5, N1-N5 (2,800 rows, 1-6, NA as empty) to a CSV for
# the reliability tests, at test time: the data are not copied into this repository.
#   Rscript tests/reference/export_bfi.R OUT.csv
suppressMessages(library(psychTools))
data(bfi)
args <- commandArgs(trailingOnly = TRUE)
write.csv(data.frame(id = seq_len(nrow(bfi)), bfi[, c(paste0("A", 1:5), paste0("C", 1:5), paste0("N", 1:5))]),
          args[1], row.names = FALSE, na = "")
