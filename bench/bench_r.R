# The R package against psych in the same R session, and against the `bowlby` command on the
# same data, on 1,000,000 respondents x 36 ECR items.
#
#   nice -n 19 Rscript bench/bench_r.R [--write] [--rows N]
#
# Needs the package installed (R CMD INSTALL bindings/r, or R_LIBS pointing at a library that
# has it), psych, and build/release/bowlby (cmake --build build/release --target bowlby).
# --write replaces the "R package" section of bench/RESULTS.md with this run's table.
#
# The answers: whole numbers 1-7 drawn from two correlated latent dimensions (avoidance: odd
# items, anxiety: even items, the ECR's reversed items reversed), about 1% missing, as a
# data.frame of integer columns (what read.csv gives). The command reads the same answers
# from a CSV file written once (empty cell = missing): its times include parsing the file,
# which is the work an R user's call saves. Every tool runs on one thread.
args <- commandArgs(trailingOnly = TRUE)
write_results <- "--write" %in% args
rows <- if ("--rows" %in% args) as.integer(args[which(args == "--rows") + 1]) else 1e6L
root <- normalizePath(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))), ".."))
cli <- file.path(root, "build", "release", "bowlby")
if (!file.exists(cli)) stop("build the command first: cmake --build build/release --target bowlby")
suppressPackageStartupMessages({
  library(bowlby)
  library(psych)
})

reversed <- c(3, 15, 19, 22, 25, 27, 29, 31, 33, 35)
make_answers <- function(n) {
  set.seed(20261207)
  avo <- rnorm(n)
  anx <- 0.3 * avo + sqrt(1 - 0.09) * rnorm(n)
  x <- vector("list", 36)
  for (j in 1:36) {
    latent <- if (j %% 2 == 1) avo else anx
    v <- round(4 + 1.2 * latent + rnorm(n, sd = 1.1))
    if (j %in% reversed) v <- 8 - v
    v <- pmin(pmax(v, 1), 7)
    v[sample.int(n, n %/% 100)] <- NA
    x[[j]] <- as.integer(v)
  }
  names(x) <- paste0("Q", 1:36)
  as.data.frame(x)
}

# Seconds of the best of `times` runs of f (elapsed time).
best_of <- function(times, f) {
  t <- numeric(times)
  for (i in seq_len(times)) {
    gc(FALSE)
    t[i] <- system.time(f())[["elapsed"]]
  }
  min(t)
}

command <- function(...) {
  out <- tempfile()
  err <- tempfile()
  status <- system2(cli, c(...), stdout = out, stderr = err)
  if (status != 0) stop("bowlby ", paste(c(...), collapse = " "), " failed:\n", paste(readLines(err), collapse = "\n"))
}

x <- make_answers(rows)
csv <- tempfile(fileext = ".csv")
if (requireNamespace("data.table", quietly = TRUE)) {
  data.table::fwrite(x, csv, na = "")
} else {
  utils::write.csv(x, csv, row.names = FALSE, na = "")
}
rev_names <- paste0("Q", reversed)
ecr_keys <- list(avoidance = ifelse(seq(1, 36, 2) %in% reversed, paste0("-Q", seq(1, 36, 2)), paste0("Q", seq(1, 36, 2))),
                 anxiety = ifelse(seq(2, 36, 2) %in% reversed, paste0("-Q", seq(2, 36, 2)), paste0("Q", seq(2, 36, 2))))
out_csv <- tempfile(fileext = ".csv")

# bowlby's R call and the command are timed in turns (5 rounds, best of each), so that both
# see the same state of the shared machine; psych once.
paired <- function(f, g, rounds = 5) {
  a <- b <- numeric(rounds)
  for (i in seq_len(rounds)) {
    a[i] <- best_of(1, f)
    b[i] <- best_of(1, g)
  }
  c(min(a), min(b))
}
t <- list()
# alpha of all 36 items as one scale (keys: the reversed items), on the scale 1-7.
p <- paired(function() bowlby::alpha(x, keys = rev_names, scale = c(1, 7), threads = 1),
            function() command("reliability", "--items", "Q1:Q36", "--reverse", paste(rev_names, collapse = ","),
                               "--scale", "1:7", "--threads", "1", csv))
t$alpha_bowlby <- p[1]
t$alpha_cmd <- p[2]
t$alpha_psych <- best_of(1, function() suppressWarnings(psych::alpha(x, keys = rev_names)))
# reliability of the ECR's two subscales.
p <- paired(function() bowlby::reliability(x, "ecr", threads = 1),
            function() command("reliability", "--instrument", "ecr", "--threads", "1", csv))
t$rel_bowlby <- p[1]
t$rel_cmd <- p[2]
# scores of the two subscales.
p <- paired(function() bowlby::score(x, "ecr", threads = 1),
            function() command("score", "--instrument", "ecr", "--threads", "1", "--output", out_csv, csv))
t$score_bowlby <- p[1]
t$score_cmd <- p[2]
t$score_psych <- best_of(1, function() suppressWarnings(
  psych::scoreItems(ecr_keys, x, min = 1, max = 7, impute = "none")))

fmt <- function(s) if (s >= 1) sprintf("%.2f s", s) else sprintf("%.1f ms", 1000 * s)
ratio <- function(a, b) sprintf("%.2fx", a / b)
table <- c(
  "| task | bowlby (R) | psych | `bowlby` command | psych / bowlby | bowlby (R) / command |",
  "|---|---|---|---|---|---|",
  sprintf("| alpha, 36 items (`alpha` vs `psych::alpha`, `bowlby reliability --items`) | %s | %s | %s | %s | %s |",
          fmt(t$alpha_bowlby), fmt(t$alpha_psych), fmt(t$alpha_cmd), ratio(t$alpha_psych, t$alpha_bowlby),
          ratio(t$alpha_bowlby, t$alpha_cmd)),
  sprintf("| reliability, ECR's 2 subscales (`reliability`, `bowlby reliability --instrument ecr`) | %s | | %s | | %s |",
          fmt(t$rel_bowlby), fmt(t$rel_cmd), ratio(t$rel_bowlby, t$rel_cmd)),
  sprintf("| score, ECR (`score` vs `psych::scoreItems`, `bowlby score`) | %s | %s | %s | %s | %s |",
          fmt(t$score_bowlby), fmt(t$score_psych), fmt(t$score_cmd), ratio(t$score_psych, t$score_bowlby),
          ratio(t$score_bowlby, t$score_cmd))
)
cat(table, sep = "\n")
cat("\nload average at the end:", readLines("/proc/loadavg"), "\n")

if (write_results) {
  path <- file.path(root, "bench", "RESULTS.md")
  lines <- readLines(path)
  cpu <- sub(".*: ", "", grep("^model name", readLines("/proc/cpuinfo"), value = TRUE)[1])
  section <- c(
    "## R package (`bench/bench_r.R`)", "",
    paste0("Measured by `nice -n 19 Rscript bench/bench_r.R --write` on ", format(Sys.Date()), ", ",
           parallel::detectCores(), " cores (", cpu, "), ", R.version.string, ", psych ", packageVersion("psych"),
           ": ", format(rows, big.mark = ","), " respondents x 36 ECR items (whole numbers 1-7 from two ",
           "correlated latent dimensions, about 1% missing) as a data.frame of integer columns, the same ",
           "data.frame for every R call, and written once to a CSV file for the command. Every tool on one ",
           "thread. bowlby's R call and the command run in turns, 5 rounds, and each time is its best round; psych's is one run. `bowlby::alpha` ",
           "also computes what psych's alpha returns besides the statistics and the command does not (the ",
           "response frequencies and the person scores), in the same pass over the data as the statistics' ",
           "sums; the command's times include reading the CSV file, which the R call does not need. ",
           "Ratios: psych / bowlby above 1x means bowlby is faster; bowlby (R) / command at most 1.10x is the ",
           "issue's bound on the package's call overhead. The machine is shared with other jobs: compare ",
           "ratios from one run."),
    "", table, "")
  start <- grep("^## R package", lines)
  if (length(start)) {
    rest <- grep("^## ", lines)
    end <- c(rest[rest > start], length(lines) + 1)[1]
    lines <- c(lines[seq_len(start - 1)], section, if (end <= length(lines)) lines[end:length(lines)])
  } else {
    lines <- c(lines, "", section)
  }
  writeLines(lines, path)
  cat("wrote the R package section of", path, "\n")
}
