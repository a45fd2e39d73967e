internal import Catalog
internal import Datasets
internal import Engine
public import Foundation
internal import StudioCore
public import TerminalGraphics

/// The studio: state, data and previews, turned into frames; keys turned into actions. Knows
/// nothing of ncurses — `run(on:)` takes a terminal, and tests drive `handle` and `compose`.
public final class App {
    public private(set) var state = AppState()
    let data: StudioData
    let previews: PreviewService
    /// This executable, started as the job supervisor.
    let executable: String
    private var samples: [SampleRow] = []
    private var samplesOffset = 0
    private var samplesKey = ""
    private var detail: (id: Int64, detail: SampleDetail?)?
    private var logTail: (id: String, lines: [String], time: Double)?
    private var tabRanges: [(Screen, Range<Int>)] = []
    private let indexing = LockedValue<String>()
    private var lastPoll = 0.0
    private var jobSignature = ""
    /// The graphics modes this terminal can show, in `t` order.
    let graphicsModes: [AppState.Graphics]

    public init(
        data: StudioData, colors: ColorMode, graphics: AppState.Graphics, pixelModes: [AppState.Graphics] = [], executable: String,
        cell: CellSize = .fallback
    ) {
        self.data = data
        self.executable = executable
        previews = PreviewService(colors: colors, cell: cell)
        // The pixel protocols the terminal speaks (best first), then blocks and ASCII.
        graphicsModes = AppState.Graphics.allCases.filter { !$0.isPixels || pixelModes.contains($0) || $0 == graphics }
        state.graphics = graphics
        data.reload()
    }

    /// Text-cell previews are written in 24-bit colour straight to the terminal, past ncurses,
    /// which maps colours to 256 (the terminal says it has 24-bit: `COLORTERM=truecolor`, as tmux
    /// does when the outer terminal has them).
    public var directColor = false

    /// Says what was chosen for this terminal (the help's last line).
    public func setTerminalNote(_ note: String) { state.terminalNote = note }

    /// Re-indexes in the background; the next `poll` reloads what the screens show.
    public func startIndexing() {
        state.status = "indexing…"
        let refresh = data.indexer, flag = indexing
        flag.set(nil)
        DispatchQueue.global(qos: .userInitiated).async { flag.set(refresh()) }
    }

    /// Work that finished off the UI thread, and jobs every second. True when the screen changed.
    public func poll(now: Double = Date().timeIntervalSince1970) -> Bool {
        var changed = previews.take()
        if state.expireStatus(now: now) { changed = true }
        if let page = sampleBox.take(), page.key == samplesKey {
            samples = page.rows
            samplesOffset = page.offset
            samplesLoading = "\(page.key)@\(page.offset)" != requestedSamples
            changed = true
        }
        if let report = healthResult.take() {
            data.reload(runs: false)
            samplesKey = ""
            requestedSamples = ""
            healthIssuesCache = nil
            state.status = report
            changed = true
        }
        if let step = healthRunning.peek(), step != state.status, state.status.hasPrefix("health") {
            state.status = step
            changed = true
        }
        if let report = indexing.take() {
            data.reload()
            samplesKey = ""
            requestedSamples = ""
            attributeCache = nil
            histogramCache = nil
            state.status = report
            changed = true
        }
        if now - lastPoll >= 1 {
            lastPoll = now
            if let id = logJob, case .log(let title, let lines, let scroll) = state.overlay,
                let fresh = try? data.jobControl(executable: executable).log(id, stderrLines: 200)
            {
                let readable = JobsView.readableLog(fresh)
                if readable != lines {
                    state.overlay = .log(title: title, lines: readable, scroll: scroll)
                    changed = true
                }
            }
            data.reloadJobs()
            let signature = data.jobs.map { "\($0.id):\($0.state.rawValue):\($0.done)" }.joined(separator: ",")
            if signature != jobSignature {
                // A job moved: its commits are in the catalog already (the runner refreshes it).
                jobSignature = signature
                data.reload(runs: data.jobs.contains { $0.kind == .ganTrain })
                samplesKey = ""
                requestedSamples = ""
                attributeCache = nil
                histogramCache = nil
                logTail = nil
                changed = true
            }
        }
        return changed
    }

    // MARK: Keys

    public func handle(_ key: Key) {
        if case .click(let x, let y) = key { return click(x: x, y: y) }
        if key == .resize { return }
        if let overlay = state.overlay { return handle(key, in: overlay) }
        if key == .control("c") { return requestQuit(confirm: false) }
        guard let action = KeyMap.action(for: key, on: state.screen) else { return }
        perform(action)
    }

    private func handle(_ key: Key, in overlay: AppState.Overlay) {
        switch overlay {
        case .help:
            switch key {
            case .escape, .character("?"), .character("q"): state.overlay = nil
            case .character("j"), .down, .wheelDown: state.helpScroll += 1
            case .character("k"), .up, .wheelUp: state.helpScroll = max(0, state.helpScroll - 1)
            case .pageDown, .control("d"): state.helpScroll += 10
            case .pageUp, .control("u"): state.helpScroll = max(0, state.helpScroll - 10)
            default: break
            }
        case .confirmQuit:
            if key == .character("y") || key == .character("q") { state.quitting = true }
            if key == .character("n") || key == .escape { state.overlay = nil }
        case .confirmTraining(let run, _, let to):
            if key == .character("y") || key == .enter {
                state.overlay = nil
                guard let summary = data.runs.first(where: { "models/\($0.name)" == run }) else { return }
                queueTraining(data: summary.datasetRoot, run: run, steps: to, resolution: nil)
            }
            if key == .character("n") || key == .escape { state.overlay = nil }
        case .jobForm(var draft):
            switch key {
            case .enter: queue(draft)
            case .escape: state.overlay = nil
            case .character("+"), .character("="), .right, .up: draft.setCount(draft.count + (draft.count >= 100 ? 10 : 1))
            case .character("-"), .left, .down: draft.setCount(draft.count - (draft.count > 100 ? 10 : 1))
            default: break
            }
            if case .jobForm = state.overlay { state.overlay = .jobForm(draft) }
        case .log(let title, let lines, let scroll):
            // `scroll` is clamped to the last page when drawn; `Int.max` follows the end.
            let step: Int
            switch key {
            case .escape, .character("q"), .enter:
                state.overlay = nil
                logJob = nil
                return
            case .character("j"), .down, .wheelDown: step = 1
            case .character("k"), .up, .wheelUp: step = -1
            case .pageDown, .control("d"), .character(" "): step = logPage
            case .pageUp, .control("u"): step = -logPage
            case .character("G"), .end: step = Int.max
            case .character("g"), .home: step = Int.min
            default: return
            }
            let current = min(scroll, max(0, lines.count - logPage))
            let next = step == Int.max ? Int.max : (step == Int.min ? 0 : max(0, current + step))
            // Reaching the last page again follows new lines.
            state.overlay = .log(title: title, lines: lines, scroll: next >= max(0, lines.count - logPage) ? Int.max : next)
        case .command(let text), .filter(let text):
            let isFilter: Bool
            if case .filter = overlay { isFilter = true } else { isFilter = false }
            switch key {
            case .escape: state.overlay = nil
            case .enter:
                state.overlay = nil
                isFilter ? applyFilter(text) : runCommand(text)
            case .backspace: state.overlay = isFilter ? .filter(String(text.dropLast())) : .command(String(text.dropLast()))
            case .tab where !isFilter: state.overlay = .command(Self.complete(text))
            case .tab: state.overlay = .filter(BrowseFilter.complete(text, classes: datasetClasses, attributes: attributeValues()))
            case .character(let c): state.overlay = isFilter ? .filter(text + String(c)) : .command(text + String(c))
            default: break
            }
        }
    }

    public func perform(_ action: Action) {
        switch action {
        case .quit: requestQuit(confirm: true)
        case .help:
            state.overlay = .help
            state.helpScroll = 0
        case .back:
            if state.zoom != nil {
                state.zoom = nil
                state.status = "preview: the whole image"
            } else if state.classFilter != nil || state.cellFilter != nil {
                state.classFilter = nil
                state.cellFilter = nil
                state.sampleIndex = 0
                state.status = "filter cleared"
            } else if state.grid {
                state.grid = false
            } else if state.focus == .samples {
                state.focus = .datasets
            }
        case .command: state.overlay = .command("")
        case .refresh: startIndexing()
        case .show(let screen):
            state.screen = screen
            // The first visit runs the checks when no run is stored yet.
            if screen == .health, data.health == nil { startHealth() }
        case .nextScreen: state.screen = Screen(rawValue: state.screen.rawValue % Screen.allCases.count + 1)!
        case .previousScreen:
            state.screen = Screen(rawValue: (state.screen.rawValue + Screen.allCases.count - 2) % Screen.allCases.count + 1)!
        case .up, .down, .left, .right, .pageUp, .pageDown, .top, .bottom: move(action)
        case .focusNext:
            state.focus = .samples
            state.sampleIndex = 0
        case .open: state.screen == .health ? openHealthRow() : openCell()
        case .runHealth: startHealth()
        case .filter: state.overlay = .filter("")
        case .nextMatch, .previousMatch: move(action == .nextMatch ? .down : .up)
        case .fill: fill()
        case .toggleAP:
            guard let evaluation = data.evaluation else {
                state.status = "no detection evaluation yet: synthstudio evaluate --task detect …, or an evaluate job with task=detect"
                return
            }
            state.showAP.toggle()
            state.status = state.showAP ? "AP50 (\(evaluation.mix)) from \(evaluation.path.terminalSafe)" : "cells by counts"
        case .nextView:
            state.viewIndex = data.coverage.isEmpty ? 0 : (state.viewIndex + 1) % data.coverage.count
            state.cursor = nil
        case .cycleGraphics:
            let i = graphicsModes.firstIndex(of: state.graphics) ?? 0
            state.graphics = graphicsModes[(i + 1) % graphicsModes.count]
            state.status = "preview: \(state.graphics.rawValue)"
        case .toggleMasks, .toggleDepth:
            let layer: AppState.PreviewLayer = action == .toggleMasks ? .masks : .depth
            state.layer = state.layer == layer ? .image : layer
            state.status = state.layer == .image ? "preview: the image" : "preview: \(state.layer.rawValue)"
        case .toggleGrid:
            state.grid.toggle()
            state.focus = .samples
        case .cancelJob, .resumeJob, .openLog: jobAction(action)
        case .trainMore: trainMore()
        case .zoomIn, .zoomOut, .zoomObject, .pan: zoom(action)
        case .nextHistogram: nextHistogram()
        }
    }

    /// Balance's sections as drawn now.
    private var balanceView: BalanceView { BalanceView(datasets: data.datasets, balances: data.balances, matrices: data.coverage) }

    /// `a` on Balance: the next axis of the per-class histograms, after the last none.
    private func nextHistogram() {
        let axes = data.histogramAxes(datasets: Array(Set(balanceView.sections().flatMap(\.datasets))).sorted())
        let next = state.balanceAxis.flatMap { axes.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
        state.balanceAxis = axes[safe: next]
        state.status =
            state.balanceAxis.map { "per class by \($0.terminalSafe) (a: next of \(axes.count))" } ?? "histograms off"
    }

    /// The histograms Balance shows, read once per axis and catalog reload.
    private func balanceHistograms(_ view: BalanceView) -> (axis: String, matrices: [CoverageMatrix?])? {
        guard let axis = state.balanceAxis else { return nil }
        if let cached = histogramCache, cached.axis == axis { return cached }
        let made = (axis, view.sections().map { data.histogram(axis: axis, datasets: $0.datasets) })
        histogramCache = made
        return made
    }

    private var histogramCache: (axis: String, matrices: [CoverageMatrix?])?

    /// `+` and `-` zoom around the centre of what is shown, `z`/`Z` step through the labelled
    /// objects, `H J K L` move; the zoom belongs to the sample it was made on.
    private func zoom(_ action: Action) {
        guard let sample = samples[safe: state.sampleIndex - samplesOffset] else { return }
        let current = state.zoom.flatMap { $0.sample == sample.id ? $0 : nil }
        switch action {
        case .zoomIn:
            state.zoom = (current ?? PreviewZoom(sample: sample.id, level: 1)).zoomed(by: 2)
        case .zoomOut:
            state.zoom = current?.zoomed(by: 0.5)
        case .pan(let dx, let dy):
            guard let current else {
                state.status = "H J K L move a zoomed preview: + or z zooms first"
                return
            }
            state.zoom = current.panned(dx: dx, dy: dy)
        case .zoomObject(let step):
            let labels = (detail?.id == sample.id ? detail?.detail?.labels : nil) ?? []
            let objects = PreviewZoom.objects(labels.compactMap { label in label.box.map { ($0, label.category) } })
            guard !objects.isEmpty else {
                state.status = "no labelled boxes in this image to zoom onto"
                return
            }
            let index = current?.object.map { ($0.index + step + objects.count) % objects.count } ?? (step > 0 ? 0 : objects.count - 1)
            var zoom = PreviewZoom.onto(objects[index].box, width: sample.width, height: sample.height, sample: sample.id)
            zoom.object = (index, objects.count)
            state.zoom = zoom
        default: return
        }
        guard let zoom = state.zoom else {
            state.status = "preview: the whole image"
            return
        }
        state.status = "zoom \(zoom.level)× · + - zoom, H J K L move, z next object, Esc the whole image"
    }

    private func requestQuit(confirm: Bool) {
        let running = data.jobs.filter { $0.state == .running || $0.state == .queued }.count
        if confirm, running > 0 { state.overlay = .confirmQuit(running: running) } else { state.quitting = true }
    }

    private func click(x: Int, y: Int) {
        state.overlay = nil
        if y == 0, let hit = tabRanges.first(where: { $0.1.contains(x) }) {
            state.screen = hit.0
            return
        }
        if state.screen == .browse, y >= 2 {
            let (datasetWidth, sampleWidth) = BrowseView.widths(lastWidth)
            if x < datasetWidth {
                state.focus = .datasets
            } else if x < datasetWidth + sampleWidth {
                state.focus = .samples
            }
        }
    }

    private func move(_ action: Action) {
        let step: Int
        switch action {
        case .up: step = -1
        case .down: step = 1
        case .pageUp: step = -10
        case .pageDown: step = 10
        case .top: step = Int.min / 2
        case .bottom: step = Int.max / 2
        case .left: step = -1
        case .right: step = 1
        default: step = 0
        }
        switch state.screen {
        case .browse:
            if state.grid, action == .up || action == .down {
                state.sampleIndex = (state.sampleIndex + step * lastGridColumns).clamped(to: sampleTotal())
            } else if state.focus == .datasets, action != .left, action != .right {
                state.datasetIndex = (state.datasetIndex &+ step).clamped(to: data.datasets.count)
                state.sampleIndex = 0
                state.classFilter = nil
                state.cellFilter = nil
            } else if state.focus == .samples || state.grid {
                if action == .left, !state.grid { state.focus = .datasets; return }
                state.sampleIndex = (state.sampleIndex &+ step).clamped(to: sampleTotal())
            } else if action == .right {
                state.focus = .samples
            }
        case .balance: state.balanceScroll = max(0, state.balanceScroll &+ (action == .left || action == .right ? 0 : step))
        case .coverage:
            guard let matrix = data.coverage[safe: state.viewIndex] else { return }
            var cursor = state.cursor ?? CoverageView.largestDeficit(matrix)
            if action == .left || action == .right {
                cursor.column = (cursor.column + step).clamped(to: matrix.columnLabels.count)
            } else {
                cursor.row = (cursor.row &+ step).clamped(to: matrix.rowLabels.count)
            }
            state.cursor = cursor
        case .jobs: state.jobIndex = (state.jobIndex &+ step).clamped(to: data.jobs.count)
        case .train: state.runIndex = (state.runIndex &+ step).clamped(to: data.runs.count)
        case .health: state.healthIndex = (state.healthIndex &+ step).clamped(to: HealthView.rows(data.health).count)
        }
    }

    private var lastGridColumns = 1
    /// The job whose log the log panel shows (re-read every second while open).
    private var logJob: String?
    /// Lines the log panel shows at once (from the last frame).
    private var logPage = 20
    /// The width of the last frame composed (clicks are mapped with it).
    private var lastWidth = 120
    /// Thumbnail captions of the loaded window of samples, by sample id.
    private var captions: (key: String, classes: [Int64: [String]]) = ("", [:])

    // MARK: Browse data

    private var orderedDatasets: [DatasetSummary] { BrowseView.ordered(data.datasets) }

    /// How many samples the current list has (from counts the catalog keeps, never a scan).
    private func sampleTotal() -> Int {
        if state.cellFilter != nil { return samplesOffset + samples.count }
        guard let d = orderedDatasets[safe: state.datasetIndex] else { return 0 }
        if let filter = browseFilter {
            // A class alone is counted in the catalog; other filters as their pages arrive.
            guard let c = filter.singleClass else { return samplesOffset + samples.count }
            return data.balances[d.name]?.rows.first { $0.category.name == c }?.images ?? 0
        }
        return d.images
    }

    /// Keeps a window of samples around the cursor loaded: pages of 200 queried from the catalog
    /// on a background queue (a deep page or a rare filter can take a tenth of a second on 100,000
    /// images); `poll` installs the rows when they arrive. Until then the list says "loading…".
    private func loadSamples() {
        let key = "\(state.datasetIndex)|\(state.classFilter ?? "")|\(state.cellFilter.map { "\($0.view)|\($0.row)|\($0.column)" } ?? "")"
        let page = 200
        let wantedOffset = max(0, state.sampleIndex - page / 2) / 50 * 50
        let loaded =
            key == samplesKey && state.sampleIndex >= samplesOffset
            && (state.sampleIndex < samplesOffset + samples.count - 1 || samples.count < page)
        guard !loaded, requestedSamples != "\(key)@\(wantedOffset)" else { return }
        if key != samplesKey {
            samples = []
            samplesKey = key
            samplesOffset = wantedOffset
        }
        requestedSamples = "\(key)@\(wantedOffset)"
        samplesLoading = true
        let query: @Sendable () -> [SampleRow]
        if let cell = state.cellFilter, let matrix = data.coverage[safe: cell.view],
            let found = matrix.cells.joined().first(where: { $0.row == cell.row && $0.column == cell.column })
        {
            query = data.sampleQuery(in: found, of: matrix, offset: wantedOffset, limit: page)
        } else if let d = orderedDatasets[safe: state.datasetIndex], let filter = browseFilter {
            query = data.sampleQuery(filter.sampleFilter(dataset: d.name), offset: wantedOffset, limit: page)
        } else if let d = orderedDatasets[safe: state.datasetIndex], sampleTotal() > 0 {
            query = data.sampleQuery(dataset: d.name, conditions: [], offset: wantedOffset, limit: page)
        } else {
            samples = []
            samplesLoading = false
            return
        }
        let box = sampleBox, tag = (key, wantedOffset)
        sampleQueue.async { box.set((tag.0, tag.1, query())) }
    }

    private var requestedSamples = ""
    /// A page of samples is being read.
    public private(set) var samplesLoading = false
    private let sampleQueue = DispatchQueue(label: "synthstudio.samples", qos: .userInitiated)
    private let sampleBox = LockedValue<(key: String, offset: Int, rows: [SampleRow])>()

    /// The health kinds a filter term names (see `BrowseFilter.healthKinds`).
    static func healthKinds(_ text: String, classes: Set<String>) -> Set<HealthIssue.Kind>? {
        BrowseFilter.healthKinds(text, classes: classes)
    }

    /// The classes of the selected dataset, in the catalog's order.
    private var datasetClasses: [String] {
        orderedDatasets[safe: state.datasetIndex].flatMap { data.balances[$0.name] }.map { $0.rows.map(\.category.name) } ?? []
    }

    /// The typed filter, parsed against the selected dataset's classes (nil without one).
    private var browseFilter: BrowseFilter? {
        state.classFilter.map { BrowseFilter.parse($0, classes: Set(datasetClasses)) }
    }

    /// Attribute keys and values of the selected dataset (for completion and explanations),
    /// read once per dataset and catalog reload.
    private func attributeValues() -> [String: [String]] {
        guard let name = orderedDatasets[safe: state.datasetIndex]?.name else { return [:] }
        if let cached = attributeCache, cached.dataset == name { return cached.values }
        let values = data.attributeValues(dataset: name)
        attributeCache = (name, values)
        return values
    }

    private var attributeCache: (dataset: String, values: [String: [String]])?

    /// Why the filtered list is empty, once its query has come back with nothing.
    private var emptyReason: String? {
        guard let filter = browseFilter, state.cellFilter == nil, samples.isEmpty, !samplesLoading,
            let d = orderedDatasets[safe: state.datasetIndex]
        else { return nil }
        return filter.explanation(dataset: d.name, classes: datasetClasses, attributes: attributeValues(), healthRun: data.health != nil)
    }

    private func applyFilter(_ text: String) {
        let name = text.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else {
            state.classFilter = nil
            return
        }
        state.classFilter = name
        state.cellFilter = nil
        state.sampleIndex = 0
        state.focus = .samples
        let filter = BrowseFilter.parse(name, classes: Set(datasetClasses))
        if let kinds = filter.health, filter.conditions.isEmpty, filter.excluded.isEmpty {
            state.status =
                data.health == nil
                ? "no health run yet: 6 opens Health, r runs it" : "flagged \(kinds.map(\.rawValue).sorted().joined(separator: ", "))"
        } else if let c = filter.singleClass {
            state.status = "class \(c.terminalSafe): \(sampleTotal()) sample(s)"
        } else {
            state.status = "filter \(name.terminalSafe)"
        }
    }

    /// Opens the selected Health row's images in Browse, filtered to that kind.
    private func openHealthRow() {
        guard let row = HealthView.rows(data.health)[safe: state.healthIndex] else { return }
        guard row.kind != .rareClass else {
            state.status = "a class issue: Balance (2) shows the class counts"
            return
        }
        guard let index = orderedDatasets.firstIndex(where: { $0.name == row.dataset }) else {
            state.status = "\(row.dataset.terminalSafe) is no longer indexed"
            return
        }
        state.datasetIndex = index
        state.screen = .browse
        applyFilter("health=\(row.kind.rawValue)")
    }

    /// Starts the health checks in the background (one at a time); `poll` shows their steps and
    /// reloads when they end.
    func startHealth() {
        guard healthRunning.peek() == nil else { return }
        healthRunning.set("health: starting…")
        let run = data.healthChecker, progress = healthRunning, result = healthResult
        DispatchQueue.global(qos: .userInitiated).async {
            let report = run { step in progress.set(step) }
            // Running ends before the result lands, so the result is the last word on the status line.
            progress.set(nil)
            result.set(report)
        }
        state.status = "health: checking every dataset…"
    }

    private let healthRunning = LockedValue<String>()
    private let healthResult = LockedValue<String>()
    private var healthIssuesCache: (key: String, issues: [HealthIssue])?

    // MARK: Coverage → jobs

    private func openCell() {
        guard let matrix = data.coverage[safe: state.viewIndex] else { return }
        let cursor = state.cursor ?? CoverageView.largestDeficit(matrix)
        guard let cell = matrix.cells[safe: cursor.row]?[safe: cursor.column] else { return }
        state.cellFilter = (state.viewIndex, cell.row, cell.column)
        state.classFilter = nil
        state.sampleIndex = 0
        state.focus = .samples
        state.screen = .browse
    }

    /// Prefills the job the gap planner makes for the cursor's cell (`Engine.GapPlanner`, the same
    /// as `synthstudio fill`): a render sized by its own first images and stopping at the target,
    /// or a GAN run's samples; or says what would make one.
    func fill() {
        guard let matrix = data.coverage[safe: state.viewIndex] else { return }
        let cursor = state.cursor ?? CoverageView.largestDeficit(matrix)
        guard let cell = matrix.cells[safe: cursor.row]?[safe: cursor.column] else { return }
        guard cell.deficit > 0 else {
            state.status = "\(cell.row.terminalSafe) × \(cell.column.terminalSafe) is not short"
            return
        }
        let key = AppState.cellKey(view: state.viewIndex, row: cell.row, column: cell.column)
        state.cursor = cursor  // stays on this cell when it is no longer the largest deficit
        let plan: GapPlanner.Plan
        do {
            plan = try data.planner(executable: executable).plan(matrix.spec, cell: CellKey(row: cell.row, column: cell.column))
        } catch {
            state.status = "cannot plan: \(error.message)"
            return
        }
        guard let job = plan.job else {
            state.status = plan.message ?? plan.summary
            return
        }
        state.overlay = .jobForm(
            JobDraft(
                spec: job, cellKey: key,
                description: "\(plan.cell.description.terminalSafe) (\(plan.deficit) short): \(plan.summary)"))
    }

    private func queue(_ draft: JobDraft) {
        state.overlay = nil
        do {
            let spec = draft.spec.with(id: JobControl.newID())
            try data.jobControl(executable: executable).queue(spec, in: data.workspace)
            if let matrix = data.coverage[safe: state.viewIndex],
                let cell = matrix.cells.joined().first(where: {
                    AppState.cellKey(view: state.viewIndex, row: $0.row, column: $0.column) == draft.cellKey
                })
            {
                state.before[draft.cellKey] = cell.total
            }
            state.status = "queued \(spec.id) (\(spec.kind.rawValue), \(draft.count))"
            data.reload()
        } catch {
            state.status = "cannot queue: \(error.message)"
        }
    }

    /// A coverage view over any two axes (`category`, `split`, `origin`, `dataset` or an attribute
    /// such as `weather`), counting the datasets the current view counts, with no target.
    private func addView(rows: String, columns: String?) {
        // Axes the data has: the fixed ones and every attribute key of the view's datasets.
        let base = data.coverage[safe: state.viewIndex]?.spec
        let counted = data.datasets.filter { base?.counts($0.name, holdout: $0.holdout) ?? !$0.holdout }
        var known: Set<String> = ["category", "class", "split", "origin", "dataset"]
        for d in counted { known.formUnion(data.attributeValues(dataset: d.name).keys) }
        for axis in [rows] + (columns.map { [$0] } ?? []) where !known.contains(axis) {
            state.status =
                "no axis \(axis.terminalSafe) (axes: \(known.subtracting(["class"]).sorted().map(\.terminalSafe).joined(separator: ", ")))"
            return
        }
        var spec = CoverageSpec(rows: CoverageAxis(rows), columns: columns.map { CoverageAxis($0) })
        spec.name = columns.map { "\(rows) × \($0)" } ?? rows
        spec.datasets = base?.datasets
        // One view made here at a time: a new :axes replaces the last (they would pile up).
        data.extraViews = [spec]
        data.reload()
        state.screen = .coverage
        state.viewIndex = max(0, data.coverage.count - 1)
        state.cursor = nil
        state.status = "view \(spec.name!.terminalSafe) (not saved; add it to studio.yaml to keep it)"
    }

    /// Asks, then continues the selected run for 1,000 more steps (a gan-train job resumes a run
    /// that exists).
    private func trainMore() {
        guard let run = data.runs[safe: state.runIndex] else {
            state.status = "no run selected; :train DATASET [resnet] starts one"
            return
        }
        let from = max(run.step, run.steps)
        state.overlay = .confirmTraining(run: "models/\(run.name)", from: from, to: from + 1000)
    }

    /// Starts a GAN run on a real dataset of the workspace at the smallest resolution (16/32/64)
    /// that holds its images: the DCGAN into `models/<dataset>`, or with `resnet` the residual
    /// networks with the recipe `make bench` measures (width 32, adaptive augmentation) into
    /// `models/<dataset>-resnet` (a job continues a run that exists with that run's settings, so
    /// the two must not share a folder).
    private func startTraining(dataset name: String, architecture: String?) {
        guard let entry = data.workspace.datasets.first(where: { $0.name == name }), entry.origin == .real else {
            state.status = "no real dataset \(name.terminalSafe) in this workspace"
            return
        }
        var recipe: [String: String] = [:]
        switch architecture {
        case nil, "dcgan": break
        case "resnet": recipe = ["architecture": "resnet", "augment": "ada", "ngf": "32", "ndf": "32"]
        case let other?:
            state.status = "train: architecture \(other.terminalSafe)? dcgan or resnet"
            return
        }
        let side = data.samples(dataset: name, category: nil, offset: 0, limit: 1).first.map { max($0.width, $0.height) } ?? 32
        let resolution = side <= 16 ? 16 : (side <= 32 ? 32 : 64)
        let run = recipe.isEmpty ? "models/\(name)" : "models/\(name)-resnet"
        queueTraining(data: name, run: run, steps: 3000, resolution: resolution, recipe: recipe)
    }

    private func queueTraining(data dataset: String, run: String, steps: Int, resolution: Int?, recipe: [String: String] = [:]) {
        var settings = recipe.merging(["data": dataset, "run": run]) { $1 }
        if let resolution { settings["resolution"] = String(resolution) }
        do {
            let spec = try JobSpec.make(
                kind: .ganTrain, id: JobControl.newID(), dataset: nil, count: steps, seed: 1, settings: settings, in: data.workspace)
            try data.jobControl(executable: executable).queue(spec, in: data.workspace)
            state.status = "queued \(spec.id): gan-train \(run.terminalSafe) to step \(steps)"
            data.reloadJobs()
        } catch {
            state.status = "cannot queue: \(error.message)"
        }
    }

    private func jobAction(_ action: Action) {
        guard let job = data.jobs[safe: state.jobIndex] else { return }
        let control = data.jobControl(executable: executable)
        do {
            switch action {
            case .cancelJob:
                state.status = try control.cancel(job.id, grace: 2) ? "cancelled \(job.id)" : "\(job.id) already \(job.state.rawValue)"
            case .resumeJob:
                try control.resume(job.id, workspace: data.workspace.root)
                state.status = "resumed \(job.id)"
            default:
                // Opens at the end and follows new lines (poll re-reads it) until scrolled up.
                logJob = job.id
                state.overlay = .log(
                    title: "Log · \(job.id) · j/k PgUp/PgDn g/G · Esc closes",
                    lines: JobsView.readableLog(try control.log(job.id, stderrLines: 200)), scroll: Int.max)
            }
        } catch {
            state.status = error.message
        }
        data.reloadJobs()
    }

    // MARK: Command line

    static let commands = [
        "quit", "browse", "balance", "coverage", "axes ", "jobs", "train", "train ", "filter ", "index", "graphics ", "help",
    ]

    static func complete(_ text: String) -> String {
        let matches = commands.filter { $0.hasPrefix(text) }
        guard let first = matches.first else { return text }
        if matches.count == 1 { return first }
        var prefix = first
        for m in matches { while !m.hasPrefix(prefix) { prefix.removeLast() } }
        return prefix
    }

    private func runCommand(_ text: String) {
        let words = text.split(separator: " ").map(String.init)
        switch words.first ?? "" {
        case "q", "quit": requestQuit(confirm: true)
        case "browse": state.screen = .browse
        case "balance": state.screen = .balance
        case "coverage": state.screen = .coverage
        case "jobs": state.screen = .jobs
        case "axes" where words.count > 1: addView(rows: words[1], columns: words.dropFirst(2).first)
        case "train" where words.count > 1: startTraining(dataset: words[1], architecture: words.dropFirst(2).first)
        case "train": state.screen = .train
        case "help": state.overlay = .help
        case "index": startIndexing()
        case "filter":
            state.screen = .browse
            applyFilter(words.dropFirst().joined(separator: " "))
        case "graphics":
            if let mode = words.dropFirst().first.flatMap(AppState.Graphics.init(rawValue:)), graphicsModes.contains(mode) {
                state.graphics = mode
            } else {
                state.status = "graphics: one of \(graphicsModes.map(\.rawValue).joined(separator: ", "))"
            }
        case "": break
        default: state.status = "unknown command \(text.terminalSafe) (Tab completes)"
        }
    }

    // MARK: Drawing

    /// The screen for the current state, the previews it wants, and where pictures (sixel, kitty,
    /// iTerm2) go once the cells are drawn.
    public func compose(width: Int, height: Int) -> (frame: Frame, pictures: [PicturePlacement]) {
        guard width >= Chrome.minimumWidth, height >= Chrome.minimumHeight else {
            return (Chrome.tooSmall(width: width, height: height), [])
        }
        var frame = Frame(width: width, height: height)
        lastWidth = width
        tabRanges = Chrome.tabs(&frame, state: state, workspace: data.workspace.name)
        let (top, bottom) = (1, height - 1)
        var wanted: [PreviewService.Request] = []
        var pictures: [PicturePlacement] = []
        switch state.screen {
        case .browse:
            state.datasetIndex = state.datasetIndex.clamped(to: data.datasets.count)
            loadSamples()
            if let sample = samples[safe: state.sampleIndex - samplesOffset], detail?.id != sample.id {
                detail = (sample.id, data.detail(sample))
            }
            if state.grid {
                let key = "\(samplesKey)@\(samplesOffset)#\(samples.count)"
                if captions.key != key { captions = (key, data.classes(of: samples.map(\.id))) }
            }
            let view = BrowseView(
                datasets: data.datasets, balances: data.balances, samples: samples, offset: samplesOffset, total: sampleTotal(),
                detail: detail?.detail, loading: samplesLoading, previews: previews, previewPath: { [data] in data.imagePath($0) },
                layerPath: { [data] in data.layerPath($0, folder: $1) },
                directColor: directColor, captions: captions.classes, emptyReason: emptyReason)
            (wanted, pictures) = view.draw(&frame, state: state, top: top, bottom: bottom)
            lastGridColumns = BrowseView.gridLayout(width: width - BrowseView.widths(width).datasets, height: bottom - top).columns
        case .balance:
            var view = balanceView
            view.histogram = balanceHistograms(view)
            view.draw(&frame, state: state, top: top, bottom: bottom)
        case .coverage:
            state.viewIndex = state.viewIndex.clamped(to: data.coverage.count)
            CoverageView(matrices: data.coverage, evaluation: data.evaluation, gap: data.domainGap).draw(
                &frame, state: state, top: top, bottom: bottom)
        case .jobs:
            state.jobIndex = state.jobIndex.clamped(to: data.jobs.count)
            if let job = data.jobs[safe: state.jobIndex], logTail?.id != job.id || Date().timeIntervalSince1970 - (logTail?.time ?? 0) > 2 {
                let lines = (try? data.jobControl(executable: executable).log(job.id, events: 60, stderrLines: 10)) ?? []
                logTail = (job.id, lines, Date().timeIntervalSince1970)
            }
            JobsView(jobs: data.jobs, logTail: logTail?.lines ?? []).draw(&frame, state: state, top: top, bottom: bottom)
        case .train:
            state.runIndex = state.runIndex.clamped(to: data.runs.count)
            (wanted, pictures) = TrainView(runs: data.runs, previews: previews, directColor: directColor).draw(
                &frame, state: state, top: top, bottom: bottom)
        case .health:
            let rows = HealthView.rows(data.health)
            state.healthIndex = state.healthIndex.clamped(to: rows.count)
            var issues: [HealthIssue] = []
            if let row = rows[safe: state.healthIndex] {
                let key = "\(row.dataset)\u{1F}\(row.kind.rawValue)\u{1F}\(data.health?.finishedAt ?? 0)"
                if healthIssuesCache?.key != key {
                    healthIssuesCache = (key, data.healthIssues(dataset: row.dataset, kinds: [row.kind], limit: 200))
                }
                issues = healthIssuesCache?.issues ?? []
            }
            HealthView(summary: data.health, issues: issues, running: healthRunning.peek()).draw(
                &frame, state: state, top: top, bottom: bottom)
        }
        Chrome.status(&frame, state: state, jobs: data.jobs)
        logPage = max(1, height - 6)
        if case .help = state.overlay {
            // As the panel is sized: every key, or what the screen's height leaves.
            let count = KeyMap.helpLines(for: state.screen).count
            state.helpScroll = min(state.helpScroll, max(0, count - max(1, min(count + 4, height - 2) - 3)))
        }
        Chrome.overlay(&frame, state: state)
        previews.want(wanted)
        // No picture under an overlay: the panel would be drawn over by the image.
        return (frame, state.overlay == nil ? pictures : [])
    }
}

/// A value handed from a background queue to the UI thread (the indexer's report, a page of
/// samples): `set` there, `take` here.
final class LockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?

    func set(_ newValue: Value?) {
        lock.lock()
        value = newValue
        lock.unlock()
    }

    /// The value, left in place.
    func peek() -> Value? {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func take() -> Value? {
        lock.lock()
        defer {
            value = nil
            lock.unlock()
        }
        return value
    }
}

extension Error {
    /// The message of our error types (their descriptions), for the status line.
    var message: String { String(describing: self) }
}
