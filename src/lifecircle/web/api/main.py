from ninja import NinjaAPI

api = NinjaAPI(title="lifecircle", version="1", urls_namespace="api")
