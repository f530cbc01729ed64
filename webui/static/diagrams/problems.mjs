// Validation problems: in the GOV.UK error summary, and on the canvas beside the element
// at fault (a red outline and a badge holding the message).
const MARKER = 'app-invalid'

export class Problems {
  constructor (modeler, summary, list, banner) {
    this.canvas = modeler.get('canvas')
    this.overlays = modeler.get('overlays')
    this.registry = modeler.get('elementRegistry')
    this.selection = modeler.get('selection')
    this.summary = summary
    this.list = list
    this.banner = banner
    this.marked = []
    list.addEventListener('click', (event) => {
      const link = event.target.closest('a[data-element]')
      if (link && this.registry.get(link.dataset.element)) {
        event.preventDefault()
        this.focus(link.dataset.element)
      }
    })
  }

  focus (id) {
    const element = this.registry.get(id)
    this.canvas.scrollToElement(element)
    this.selection.select(element)
    // Straight to the step's fields, where the problem is put right.
    const field = document.querySelector('#properties-fields input, #properties-fields select, #properties-fields textarea')
    ;(field || document.getElementById('canvas')).focus()
  }

  clear () {
    this.overlays.remove({ type: 'problem' })
    for (const id of this.marked) {
      if (this.registry.get(id)) this.canvas.removeMarker(id, MARKER)
    }
    this.marked = []
  }

  show (problems) {
    this.clear()
    this.list.replaceChildren()
    for (const problem of problems) {
      const item = document.createElement('li')
      const link = document.createElement('a')
      link.href = '#canvas'
      link.dataset.element = problem.element || ''
      link.textContent = problem.message
      item.append(link)
      this.list.append(item)
      this.mark(problem)
    }
    this.summary.classList.toggle('app-hidden', problems.length === 0)
    this.banner.classList.toggle('app-hidden', problems.length !== 0)
    if (problems.length) this.summary.focus()
  }

  mark (problem) {
    if (!problem.element || !this.registry.get(problem.element)) return
    const badge = document.createElement('div')
    badge.className = 'app-problem-badge'
    badge.title = problem.message
    badge.textContent = 'Problem'
    badge.dataset.problemFor = problem.element
    this.overlays.add(problem.element, 'problem', { position: { top: -14, right: 10 }, html: badge })
    this.canvas.addMarker(problem.element, MARKER)
    this.marked.push(problem.element)
  }

  fromPage () {
    // Problems the server found on a posted form: mark them once the diagram is on screen.
    for (const link of this.list.querySelectorAll('a[data-element]')) {
      this.mark({ element: link.dataset.element, message: link.textContent })
    }
  }
}
