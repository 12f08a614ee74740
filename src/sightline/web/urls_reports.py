"""Reports: the board report (page and PDF) and the public statistics (page and open data; no sign-in)."""

from django.urls import path

from sightline.web.views import reports as v

urlpatterns = [
    path("reports/board", v.board_report, name="board_report"),
    path("reports/board.pdf", v.board_report_pdf, name="board_report_pdf"),
    path("statistics", v.public_statistics, name="public_statistics"),
    path("statistics/data.csv", v.public_data_csv, name="public_data_csv"),
    path("statistics/metadata.csv", v.public_metadata_csv, name="public_metadata_csv"),
]
