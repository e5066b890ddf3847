from django.urls import path

from zhixing.funds import payout_views as v

urlpatterns = [
    path("funds/payouts/", v.payouts_list, name="payouts_list"),
    path("funds/cases/<int:case_id>/payouts/", v.payout_plan, name="payout_plan"),
    path("funds/payouts/<int:payout_id>/decide/", v.payout_decide, name="payout_decide"),
    path("funds/payouts/<int:payout_id>/defer/", v.payout_defer, name="payout_defer"),
    path("funds/payouts/<int:payout_id>/resume/", v.payout_resume, name="payout_resume"),
    path("funds/payouts/<int:payout_id>/cancel/", v.payout_cancel, name="payout_cancel"),
    path("funds/payments/", v.payment_files, name="payment_files"),
    path("funds/payments/<int:file_id>.csv", v.payment_file_download, name="payment_file_download"),
]
