// Start GOV.UK Frontend's components (error summary focus, radios' conditional reveal, ...).
import { initAll } from '/frontend/govuk-frontend.min.js'

initAll()
