"""Which shipped municipality facts are verified against the municipality's own page, and which
are still example data (data/content/facts.yml). Prints a table and the README's sentence."""

from django.core.management.base import BaseCommand

from webapp.facts.verification import readme_sentence, summarise


class Command(BaseCommand):
    help = "Count the shipped municipality facts that are verified (the README's number comes from here)."

    def handle(self, *args, **options):
        summary = summarise()
        self.stdout.write(f"{'code':<6}{'municipality':<18}{'verified':>9}{'example':>9}  verified kinds")
        for m in summary.municipalities:
            kinds = ", ".join(sorted(f["kind"] for f in m.verified)) or "-"
            self.stdout.write(f"{m.code:<6}{m.name:<18}{len(m.verified):>9}{len(m.examples):>9}  {kinds}")
        self.stdout.write(readme_sentence(summary) + ".")
