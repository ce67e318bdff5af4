"""`lantern link`: link every source record into persons (training the model the first time)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from lantern.linkage.evaluation import evaluate
from lantern.linkage.exceptions import LinkageError
from lantern.linkage.selectors import clustering, read_truth
from lantern.linkage.services import link_all


class Command(BaseCommand):
    help = ("Link every source record into persons with the trained model (training one first if there is "
            "none), keeping each person's reference where its records stay together.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--retrain", action="store_true", help="Train a new model before linking")
        parser.add_argument("--seed", type=int, default=1, help="Seed for training (default 1)")
        parser.add_argument("--backend", choices=("duckdb", "spark"), default="duckdb",
                            help="Where Splink runs: DuckDB (default) or Apache Spark (needs lantern[spark])")
        parser.add_argument("--evaluate", type=Path, metavar="TRUTH",
                            help="Do not link: compare the persons as they stand with a truth file "
                                 "(the generator's truth.jsonl) and print precision, recall and F1")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["evaluate"]:
            self._evaluate(options["evaluate"])
            return
        console = Console(stderr=True)
        try:
            with console.status("Linking…") as status:
                run = link_all(retrain=options["retrain"], seed=options["seed"], backend=options["backend"],
                               progress=lambda step: status.update(f"{step}…"))
        except LinkageError as error:
            raise CommandError(str(error)) from error
        counts = run.counts
        self.stdout.write(
            f"Linked {run.records:,} records into {run.persons:,} persons with model {run.model.version}: "
            f"{counts['persons_kept']:,} kept as they were, {counts['persons_grown']:,} gained records, "
            f"{counts['persons_created']:,} new, {counts['persons_merged']:,} merged into another, "
            f"{counts['persons_split']:,} split; {counts['review_pairs_raised']:,} pairs sent for review."
        )

    def _evaluate(self, path: Path) -> None:
        try:
            truth = read_truth(path)
        except LinkageError as error:
            raise CommandError(str(error)) from error
        predicted = {(agency, source_id): reference for agency, source_id, reference in clustering()}
        result = evaluate(predicted, truth)
        self.stdout.write(f"{result.records:,} records compared: {result.true_persons:,} true persons, "
                          f"{result.predicted_persons:,} persons in Lantern.")
        self.stdout.write(f"{'':<10}{'precision':>10}{'recall':>10}{'F1':>10}")
        for name, scores in (("pairwise", result.pairwise), ("cluster", result.cluster)):
            self.stdout.write(f"{name:<10}{scores.precision:>10.4f}{scores.recall:>10.4f}{scores.f1:>10.4f}")
