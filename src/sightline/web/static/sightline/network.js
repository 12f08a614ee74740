// The analysts' network picture, drawn on a canvas from the page's JSON data block (#network-data,
// written by the server; no inline script, as the CSP forbids it). Members sit where the server laid
// them out, so the same group looks the same on every load. Nodes and names keep their size on the
// screen when zooming, so zooming in makes room for more names; names that would overlap are left
// out, most important first. Selecting a member shows their links and events in the panel beside
// the picture; opening their record is a separate link there.
(function () {
  'use strict'

  var root = document.getElementById('network-view')
  var canvas = document.getElementById('network-canvas')
  var dataBlock = document.getElementById('network-data')
  var panel = document.getElementById('network-selection')
  var picker = document.getElementById('network-member')
  var status = document.getElementById('network-status')
  if (!root || !canvas || !dataBlock || !canvas.getContext) {
    return
  }
  var data = JSON.parse(dataBlock.textContent)
  if (!data.nodes.length) {
    return
  }
  root.hidden = false

  var STYLE = {
    child: { fill: '#1d70b8', shape: 'circle' },
    adult: { fill: '#d4351c', shape: 'square' },
    person: { fill: '#f47738', shape: 'circle' },
    place: { fill: '#00703c', shape: 'diamond' },
    vehicle: { fill: '#4c2c92', shape: 'triangle' },
    phone: { fill: '#b58840', shape: 'hexagon' },
    restricted: { fill: '#b1b4b6', shape: 'circle', dashed: true }
  }
  // Which names matter most when not all fit: adults, places and vehicles, then children.
  var TIER = { adult: 0, place: 1, vehicle: 1, child: 2, person: 2, restricted: 3, phone: 4 }
  var RADIUS = 8
  var PAD = 28
  var FONT_SIZE = 14
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  var SHOWN_LINKS = 12
  var SHOWN_EVENTS = 3

  // --- the model ------------------------------------------------------------------------------

  var nodes = data.nodes.map(function (n) {
    var d = n.data
    return {
      id: d.id, label: d.label, kind: d.kind, kindLabel: d.kindLabel, href: d.href,
      restricted: d.restricted, breakGlass: d.breakGlass, wx: n.position.x, wy: n.position.y,
      links: [], concerning: 0, strength: 0, sx: 0, sy: 0
    }
  })
  var byId = {}
  nodes.forEach(function (n) { byId[n.id] = n })
  var edges = data.edges.map(function (e) { return e.data }).filter(function (e) {
    return byId[e.source] && byId[e.target]
  })
  edges.forEach(function (e) {
    e.a = byId[e.source]
    e.b = byId[e.target]
    ;[e.a, e.b].forEach(function (n) {
      n.links.push(e)
      n.strength += e.weight
      if (e.concerning) { n.concerning += 1 }
    })
  })
  function byImportance (a, b) {
    return (TIER[a.kind] - TIER[b.kind]) || (b.concerning - a.concerning) ||
      (b.links.length - a.links.length) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)
  }
  var ranked = nodes.slice().sort(byImportance)
  // The more links, the fainter each is drawn, so that a dense group does not turn grey.
  var faint = Math.min(Math.max(40 / Math.max(edges.length, 1), 0.25), 0.9)

  // --- the view: world positions (0 to 1) to screen pixels -------------------------------------

  var ctx = canvas.getContext('2d')
  var font = FONT_SIZE + 'px ' + window.getComputedStyle(document.body).fontFamily
  var view = { k: 1, tx: 0, ty: 0 }
  var base = { sx: 1, sy: 1, ox: 0, oy: 0 }
  var width = 0
  var height = 0
  var selected = null
  var hovered = null
  var labelled = []

  function measure () {
    var rect = canvas.getBoundingClientRect()
    var ratio = window.devicePixelRatio || 1
    width = Math.max(rect.width, 100)
    height = Math.max(rect.height, 100)
    canvas.width = Math.round(width * ratio)
    canvas.height = Math.round(height * ratio)
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0)
    // Fit the layout to the canvas, stretching it by up to half again across or down to use a
    // wide or tall canvas, and leaving room on the right for the names.
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity
    nodes.forEach(function (n) {
      minX = Math.min(minX, n.wx); maxX = Math.max(maxX, n.wx)
      minY = Math.min(minY, n.wy); maxY = Math.max(maxY, n.wy)
    })
    var spanX = Math.max(maxX - minX, 1e-6)
    var spanY = Math.max(maxY - minY, 1e-6)
    var fitX = (width - 2 * PAD - 110) / spanX
    var fitY = (height - 2 * PAD) / spanY
    // A small group is not blown up to fill the canvas: its links stay a readable length.
    var s = Math.min(fitX, fitY, 110 * Math.sqrt(nodes.length))
    base.sx = nodes.length > 1 ? Math.min(fitX, s * 1.5, s + 150) : 1
    base.sy = nodes.length > 1 ? Math.min(fitY, s * 1.5, s + 150) : 1
    base.ox = (width - 110 - spanX * base.sx) / 2 - minX * base.sx
    base.oy = (height - spanY * base.sy) / 2 - minY * base.sy
    if (nodes.length === 1) {
      base.ox = width / 2 - nodes[0].wx
      base.oy = height / 2 - nodes[0].wy
    }
  }

  function place () {
    nodes.forEach(function (n) {
      n.sx = (n.wx * base.sx + base.ox) * view.k + view.tx
      n.sy = (n.wy * base.sy + base.oy) * view.k + view.ty
    })
  }

  function zoomAt (factor, px, py) {
    var k = Math.min(Math.max(view.k * factor, 0.5), 12)
    factor = k / view.k
    view.tx = px - (px - view.tx) * factor
    view.ty = py - (py - view.ty) * factor
    view.k = k
    draw()
  }

  function fit () {
    view.k = 1
    view.tx = 0
    view.ty = 0
    draw()
  }

  // --- drawing -------------------------------------------------------------------------------

  function shape (n, r) {
    var x = n.sx
    var y = n.sy
    var s = STYLE[n.kind].shape
    ctx.beginPath()
    if (s === 'square') {
      ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7)
    } else if (s === 'diamond') {
      ctx.moveTo(x, y - r * 1.15); ctx.lineTo(x + r * 1.15, y); ctx.lineTo(x, y + r * 1.15); ctx.lineTo(x - r * 1.15, y)
      ctx.closePath()
    } else if (s === 'triangle') {
      ctx.moveTo(x, y - r * 1.1); ctx.lineTo(x + r * 1.1, y + r * 0.8); ctx.lineTo(x - r * 1.1, y + r * 0.8)
      ctx.closePath()
    } else if (s === 'hexagon') {
      for (var i = 0; i < 6; i++) {
        var a = Math.PI / 3 * i
        ctx[i ? 'lineTo' : 'moveTo'](x + r * Math.cos(a), y + r * Math.sin(a))
      }
      ctx.closePath()
    } else {
      ctx.arc(x, y, r, 0, 2 * Math.PI)
    }
  }

  function near (n) {
    return !selected || n === selected || selected.links.some(function (e) { return e.a === n || e.b === n })
  }

  function overlaps (box, boxes) {
    for (var i = 0; i < boxes.length; i++) {
      var o = boxes[i]
      if (box.x < o.x + o.w && box.x + box.w > o.x && box.y < o.y + o.h && box.y + box.h > o.y) {
        return true
      }
    }
    return false
  }

  // Names in order of importance (the selected member and its neighbours first), each beside its
  // node where it covers no other name or node; a name that fits nowhere is left out.
  function chooseLabels () {
    var order = ranked
    if (selected) {
      var close = ranked.filter(function (n) { return n !== selected && near(n) })
      var far = ranked.filter(function (n) { return !near(n) })
      order = [selected].concat(close, far)
    }
    var nodeBoxes = nodes.map(function (n) {
      return { x: n.sx - RADIUS - 2, y: n.sy - RADIUS - 2, w: 2 * RADIUS + 4, h: 2 * RADIUS + 4, n: n }
    })
    var placed = []
    var chosen = []
    ctx.font = font
    order.forEach(function (n) {
      if (n.sx < -50 || n.sy < -20 || n.sx > width + 50 || n.sy > height + 20) { return }
      if (selected && !near(n) && n !== hovered) { return }
      // Everyone outside the viewer's access has the same name: the key says it once.
      if (n.restricted && n !== selected && n !== hovered) { return }
      var w = ctx.measureText(n.label).width + 6
      var h = FONT_SIZE + 4
      var spots = [
        { x: n.sx + RADIUS + 3, y: n.sy - h / 2 },
        { x: n.sx - RADIUS - 3 - w, y: n.sy - h / 2 },
        { x: n.sx - w / 2, y: n.sy + RADIUS + 3 },
        { x: n.sx - w / 2, y: n.sy - RADIUS - 3 - h }
      ]
      var others = nodeBoxes.filter(function (b) { return b.n !== n })
      for (var i = 0; i < spots.length; i++) {
        var box = { x: spots[i].x, y: spots[i].y, w: w, h: h }
        var inside = box.x >= 0 && box.y >= 0 && box.x + w <= width && box.y + h <= height
        if ((inside || n === selected) && !overlaps(box, placed) && !overlaps(box, others)) {
          placed.push(box)
          chosen.push({ n: n, box: box })
          return
        }
      }
      if (n === selected || n === hovered) {
        var forced = { x: spots[0].x, y: spots[0].y, w: w, h: h }
        placed.push(forced)
        chosen.push({ n: n, box: forced })
      }
    })
    return chosen
  }

  function draw () {
    place()
    ctx.clearRect(0, 0, width, height)
    ctx.fillStyle = '#ffffff'
    ctx.fillRect(0, 0, width, height)
    ctx.lineCap = 'round'
    var dim = !!selected
    edges.forEach(function (e) {
      var mine = dim && (e.a === selected || e.b === selected)
      if (dim && !mine) {
        ctx.strokeStyle = 'rgba(177, 180, 182, 0.25)'
        ctx.lineWidth = 1
      } else if (e.concerning) {
        ctx.strokeStyle = mine ? '#0b0c0c' : 'rgba(80, 90, 95, ' + faint + ')'
        ctx.lineWidth = mine ? 3 : 2
      } else {
        ctx.strokeStyle = mine ? '#6f777b' : 'rgba(177, 180, 182, ' + Math.min(faint * 1.5, 0.9) + ')'
        ctx.lineWidth = 1
      }
      ctx.setLineDash(e.type === 'plate' ? [4, 4] : [])
      ctx.beginPath()
      ctx.moveTo(e.a.sx, e.a.sy)
      ctx.lineTo(e.b.sx, e.b.sy)
      ctx.stroke()
    })
    nodes.forEach(function (n) {
      var style = STYLE[n.kind]
      ctx.globalAlpha = near(n) ? 1 : 0.3
      if (n === selected) {
        // GOV.UK's focus style: yellow, ringed in black.
        ctx.setLineDash([])
        ctx.beginPath()
        ctx.arc(n.sx, n.sy, RADIUS + 9, 0, 2 * Math.PI)
        ctx.fillStyle = '#0b0c0c'
        ctx.fill()
        ctx.beginPath()
        ctx.arc(n.sx, n.sy, RADIUS + 6, 0, 2 * Math.PI)
        ctx.fillStyle = '#ffdd00'
        ctx.fill()
      }
      shape(n, RADIUS)
      ctx.fillStyle = style.fill
      ctx.fill()
      ctx.setLineDash(style.dashed ? [3, 2] : [])
      ctx.lineWidth = 1.5
      ctx.strokeStyle = '#0b0c0c'
      ctx.stroke()
    })
    ctx.globalAlpha = 1
    ctx.setLineDash([])
    labelled = chooseLabels()
    ctx.font = font
    ctx.textBaseline = 'middle'
    labelled.forEach(function (l) {
      var strong = l.n === selected || l.n === hovered
      ctx.fillStyle = strong ? '#ffdd00' : 'rgba(255, 255, 255, 0.85)'
      ctx.fillRect(l.box.x, l.box.y, l.box.w, l.box.h)
      ctx.fillStyle = '#0b0c0c'
      ctx.fillText(l.n.label, l.box.x + 3, l.box.y + l.box.h / 2 + 1)
    })
  }

  // --- the panel beside the picture -------------------------------------------------------------

  function el (tag, className, text) {
    var e = document.createElement(tag)
    if (className) { e.className = className }
    if (text !== undefined) { e.textContent = text }
    return e
  }

  function day (iso) {
    if (!iso) { return '' }
    var p = iso.split('-')
    return Number(p[2]) + ' ' + MONTHS[Number(p[1]) - 1] + ' ' + p[0]
  }

  function when (first, last) {
    if (!first) { return '' }
    return first === last || !last ? day(first) : day(first) + ' to ' + day(last)
  }

  function plural (n, word) {
    return n + ' ' + word + (n === 1 ? '' : 's')
  }

  function row (list, key, value) {
    var r = el('div', 'govuk-summary-list__row')
    r.appendChild(el('dt', 'govuk-summary-list__key', key))
    r.appendChild(el('dd', 'govuk-summary-list__value', value))
    list.appendChild(r)
  }

  function linkText (e) {
    var parts = [e.how + (e.kinds.length ? ': ' + e.kinds.join(', ').toLowerCase() : '')]
    if (e.events.length) { parts.push(plural(e.events.length, 'event')) }
    if (e.first_seen) { parts.push(when(e.first_seen, e.last_seen)) }
    if (e.agencies.length) { parts.push(e.agencies.join(', ')) }
    return parts.join('; ')
  }

  function describe (n) {
    while (panel.firstChild) { panel.removeChild(panel.firstChild) }
    if (!n) {
      panel.appendChild(el('h3', 'govuk-heading-s', 'Nothing selected'))
      panel.appendChild(el('p', 'govuk-body-s', 'Select a member to see who and what they are linked to, and the events behind each link.'))
      return
    }
    panel.appendChild(el('span', 'govuk-caption-m', n.kindLabel))
    var heading = el('h3', 'govuk-heading-m sightline-break-anywhere', n.label)
    heading.tabIndex = -1
    panel.appendChild(heading)
    var events = {}
    var kinds = {}
    var first = ''
    var last = ''
    n.links.forEach(function (e) {
      e.events.forEach(function (k) { events[k] = true })
      e.kinds.forEach(function (k) { kinds[k] = true })
      if (e.first_seen && (!first || e.first_seen < first)) { first = e.first_seen }
      if (e.last_seen && (!last || e.last_seen > last)) { last = e.last_seen }
    })
    var list = el('dl', 'govuk-summary-list govuk-summary-list--no-border sightline-network__facts')
    row(list, 'Links', n.links.length + (n.concerning ? ' (' + n.concerning + ' concerning)' : ''))
    row(list, 'Events', String(Object.keys(events).length))
    if (Object.keys(kinds).length) { row(list, 'Kinds', Object.keys(kinds).sort().join(', ')) }
    if (first) { row(list, 'Seen', when(first, last)) }
    panel.appendChild(list)

    var action = el('p', 'govuk-body')
    if (n.href) {
      var open = el('a', 'govuk-link govuk-link--no-visited-state sightline-network__open', 'Open the record of ' + n.label)
      open.href = n.href
      action.appendChild(open)
    } else if (n.restricted) {
      action.appendChild(document.createTextNode('This person is outside your access. Opening their record needs break-glass: you give a reason, and it is reviewed. '))
      if (n.breakGlass) {
        var glass = el('a', 'govuk-link', 'Open the record with break-glass')
        glass.href = n.breakGlass
        action.appendChild(glass)
      }
    } else {
      action.textContent = 'A ' + n.kindLabel.toLowerCase() + ' has no record page of its own: its links and events are below.'
    }
    panel.appendChild(action)

    panel.appendChild(el('h4', 'govuk-heading-s', 'Linked to'))
    var items = el('ul', 'govuk-list sightline-network__links')
    var sorted = n.links.slice().sort(function (x, y) {
      return (y.concerning - x.concerning) || (y.events.length - x.events.length) || (y.weight - x.weight)
    })
    sorted.slice(0, SHOWN_LINKS).forEach(function (e) {
      var other = e.a === n ? e.b : e.a
      var item = el('li')
      var pick = el('button', 'sightline-link-button govuk-link', other.label)
      pick.type = 'button'
      pick.addEventListener('click', function () {
        select(other, true)
        panel.querySelector('h3').focus() // the button that had focus is gone
      })
      item.appendChild(pick)
      item.appendChild(document.createTextNode(' (' + other.kindLabel.toLowerCase() + ')'))
      if (e.concerning) {
        item.appendChild(document.createTextNode(' '))
        item.appendChild(el('strong', 'govuk-tag govuk-tag--red sightline-network__tag', 'Concerning'))
      }
      item.appendChild(el('span', 'govuk-body-s sightline-network__detail', linkText(e)))
      if (e.events.length) {
        var shown = e.events.slice(0, SHOWN_EVENTS).join(', ')
        var more = e.events.length > SHOWN_EVENTS ? ' and ' + (e.events.length - SHOWN_EVENTS) + ' more' : ''
        item.appendChild(el('span', 'govuk-body-s sightline-network__events', 'Records: ' + shown + more))
      }
      items.appendChild(item)
    })
    panel.appendChild(items)
    if (sorted.length > SHOWN_LINKS) {
      panel.appendChild(el('p', 'govuk-body-s', 'And ' + plural(sorted.length - SHOWN_LINKS, 'more link') + ': see the links table under the picture.'))
    }
  }

  function select (n, reveal) {
    selected = n
    picker.value = n ? n.id : ''
    describe(n)
    status.textContent = n ? 'Selected ' + n.label + ', ' + n.kindLabel.toLowerCase() + ', with ' + plural(n.links.length, 'link') + '. Details are beside the picture.' : 'Nothing selected.'
    if (n && reveal) {
      place()
      if (n.sx < PAD || n.sy < PAD || n.sx > width - PAD || n.sy > height - PAD) {
        view.tx += width / 2 - n.sx
        view.ty += height / 2 - n.sy
      }
    }
    draw()
  }

  // --- pointer, wheel and keys --------------------------------------------------------------------

  // The member under the pointer: its node, or else the name drawn beside it.
  function hit (px, py) {
    var best = null
    var bestD = (RADIUS + 5) * (RADIUS + 5)
    nodes.forEach(function (n) {
      var d = (n.sx - px) * (n.sx - px) + (n.sy - py) * (n.sy - py)
      if (d <= bestD) { best = n; bestD = d }
    })
    if (best) { return best }
    for (var i = labelled.length - 1; i >= 0; i--) {
      var b = labelled[i].box
      if (px >= b.x && px <= b.x + b.w && py >= b.y && py <= b.y + b.h) { return labelled[i].n }
    }
    return null
  }

  // Zoom about the selected member while it is in sight, else about the middle.
  function zoomBy (factor) {
    var inSight = selected && selected.sx >= 0 && selected.sy >= 0 && selected.sx <= width && selected.sy <= height
    zoomAt(factor, inSight ? selected.sx : width / 2, inSight ? selected.sy : height / 2)
  }

  function local (event) {
    var rect = canvas.getBoundingClientRect()
    return { x: event.clientX - rect.left, y: event.clientY - rect.top }
  }

  var pointers = {}
  var drag = null
  canvas.addEventListener('pointerdown', function (event) {
    pointers[event.pointerId] = local(event)
    canvas.setPointerCapture(event.pointerId)
    var p = pointers[event.pointerId]
    drag = { x: p.x, y: p.y, moved: Object.keys(pointers).length > 1 }
  })
  canvas.addEventListener('pointermove', function (event) {
    var p = local(event)
    var ids = Object.keys(pointers)
    if (ids.length === 2 && pointers[event.pointerId]) {
      var other = pointers[ids[0] === String(event.pointerId) ? ids[1] : ids[0]]
      var before = Math.hypot(pointers[event.pointerId].x - other.x, pointers[event.pointerId].y - other.y)
      var after = Math.hypot(p.x - other.x, p.y - other.y)
      pointers[event.pointerId] = p
      if (before > 0) { zoomAt(after / before, (p.x + other.x) / 2, (p.y + other.y) / 2) }
      if (drag) { drag.moved = true }
      return
    }
    if (drag && pointers[event.pointerId]) {
      var dx = p.x - drag.x
      var dy = p.y - drag.y
      if (drag.moved || Math.abs(dx) + Math.abs(dy) > 4) {
        drag.moved = true
        view.tx += dx
        view.ty += dy
        drag.x = p.x
        drag.y = p.y
        draw()
      }
      return
    }
    var over = hit(p.x, p.y)
    if (over !== hovered) {
      hovered = over
      canvas.classList.toggle('sightline-network__canvas--pointer', !!over)
      draw()
    }
  })
  function release (event) {
    delete pointers[event.pointerId]
    if (drag && !drag.moved && event.type === 'pointerup') {
      var p = local(event)
      select(hit(p.x, p.y), false)
    }
    if (!Object.keys(pointers).length) { drag = null }
  }
  canvas.addEventListener('pointerup', release)
  canvas.addEventListener('pointercancel', release)
  canvas.addEventListener('pointerleave', function () {
    if (hovered && !drag) { hovered = null; draw() }
  })
  canvas.addEventListener('wheel', function (event) {
    event.preventDefault()
    var p = local(event)
    zoomAt(Math.exp(-event.deltaY * 0.0015), p.x, p.y)
  }, { passive: false })
  canvas.addEventListener('keydown', function (event) {
    var step = 40
    var keys = {
      ArrowLeft: function () { view.tx += step; draw() },
      ArrowRight: function () { view.tx -= step; draw() },
      ArrowUp: function () { view.ty += step; draw() },
      ArrowDown: function () { view.ty -= step; draw() },
      '+': function () { zoomBy(1.25) },
      '=': function () { zoomBy(1.25) },
      '-': function () { zoomBy(0.8) },
      0: fit,
      Escape: function () { select(null, false) }
    }
    if (keys[event.key]) {
      event.preventDefault()
      keys[event.key]()
    }
  })
  picker.addEventListener('change', function () {
    select(byId[picker.value] || null, true)
  })
  root.querySelectorAll('[data-network-zoom]').forEach(function (button) {
    button.addEventListener('click', function () {
      var how = button.getAttribute('data-network-zoom')
      if (how === 'fit') { fit() } else { zoomBy(how === 'in' ? 1.4 : 1 / 1.4) }
    })
  })
  window.addEventListener('resize', function () { measure(); draw() })

  measure()
  draw()

  // For the browser tests and the curious: where each member is drawn, and which are named.
  window.sightlineNetwork = {
    nodes: function () {
      return nodes.map(function (n) { return { id: n.id, kind: n.kind, label: n.label, x: n.sx, y: n.sy } })
    },
    labels: function () {
      return labelled.map(function (l) { return { id: l.n.id, x: l.box.x, y: l.box.y, w: l.box.w, h: l.box.h } })
    },
    selected: function () { return selected ? selected.id : null },
    select: function (id) { select(byId[id] || null, true) },
    zoom: function () { return view.k }
  }
})()
