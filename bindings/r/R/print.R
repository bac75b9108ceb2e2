# Printouts laid out like psych's: rounded for reading; the objects keep full precision.

print.bowlby_alpha <- function(x, digits = 2, ...) {
  cat("\nReliability analysis  ", if (!is.null(x$title)) x$title, "\n")
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat("\n")
  print(x$total, digits = digits)
  level <- format(100 * x$ci_level)
  cat("\n   ", level, "% confidence boundaries \n", sep = "")
  bounds <- rbind(Feldt = c(lower = x$feldt$lower.ci$raw_alpha, alpha = x$feldt$alpha$raw_alpha,
                            upper = x$feldt$upper.ci$raw_alpha),
                  Duhachek = x$duhachek)
  if (!is.null(x$boot.ci)) bounds <- rbind(bounds, bootstrap = c(x$boot.ci[1], x$feldt$alpha$raw_alpha, x$boot.ci[2]))
  print(round(bounds, digits))
  cat("\n Reliability if an item is dropped:\n")
  print(x$alpha.drop, digits = digits)
  cat("\n Item statistics \n")
  print(x$item.stats, digits = digits)
  if (!is.null(x$response.freq)) {
    cat("\nNon missing response frequency for each item\n")
    print(round(x$response.freq, digits))
  }
  sh <- x$split_half
  cat(sprintf("\n bowlby: omega total %s, lambda 2 %s, split halves max %s min %s mean %s (%s%s), SEM %s\n",
              format(round(x$omega_total, digits)), format(round(x$lambda2, digits)),
              format(round(sh$max, digits)), format(round(sh$min, digits)), format(round(sh$mean, digits)),
              format(sh$splits, big.mark = ","), if (isTRUE(sh$exhaustive)) " splits, all" else " splits, sampled",
              format(round(x$sem, digits + 1))))
  if (length(x$warnings)) cat(" warnings:", paste(x$warnings, collapse = "; "), "\n")
  invisible(x)
}

print.bowlby_reliability <- function(x, digits = 2, ...) {
  for (s in names(x)) {
    cat("\n==", s, "\n")
    print(x[[s]], digits = digits)
  }
  cors <- attr(x, "intercorrelations")
  if (!is.null(cors)) {
    cat("\nCorrelations between the subscales (below the diagonal), corrected for attenuation (above):\n")
    m <- cors$r
    m[upper.tri(m)] <- cors$corrected[upper.tri(m)]
    print(round(m, digits))
  }
  invisible(x)
}
